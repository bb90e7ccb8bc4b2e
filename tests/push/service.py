"""An imitation push service on 127.0.0.1, a real HTTP server that does what a browser
vendor's push service does with our requests, from the RFCs, not from pywebpush:

- RFC 8292 (VAPID): `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256
  (header {"typ": "JWT", "alg": "ES256"}), its signature checked against `k`, `k` must be
  the application server key the browser subscribed with, `aud` the origin of the push
  resource, `exp` in the future and at most 24 hours away, `sub` a mailto: or https: URI.
- RFC 8030: a POST to the subscription's push resource with a TTL header; 201 Created with
  a Location when accepted. Urgency and Topic are recorded.
- RFC 8291 / RFC 8188: `Content-Encoding: aes128gcm`; the body is decrypted here with the
  subscription's private key and auth secret (ECDH P-256, HKDF-SHA256, AES-128-GCM) and
  the plaintext recorded.

Each subscription has a script of answers (201 by default; 404, 410, 429, 500, or
"hang" to sleep past the client's timeout). A request that fails a check gets 400/401/403
as a real service would, and is recorded in `rejected`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _raw_public(key) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass
class Browser:
    """One browser's subscription keys, as the browser keeps them (the private half never
    leaves it)."""

    name: str
    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64e(_raw_public(self.private.public_key()))

    def subscription(self, service) -> dict:
        """PushSubscription.toJSON()."""
        return {
            "endpoint": f"{service.origin}/push/{self.name}",
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64e(self.auth)},
        }


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def decrypt_aes128gcm(body: bytes, browser: Browser) -> bytes:
    """RFC 8291 §3.4 and RFC 8188 §2: one record (a push message is at most 4096 bytes)."""
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    as_public_raw = body[21 : 21 + idlen]
    ciphertext = body[21 + idlen :]
    if idlen != 65 or rs < 18 or len(ciphertext) > rs:
        raise ValueError("bad aes128gcm header")
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_raw)
    ecdh_secret = browser.private.exchange(ec.ECDH(), as_public)
    ua_public_raw = _raw_public(browser.private.public_key())
    key_info = b"WebPush: info\x00" + ua_public_raw + as_public_raw
    ikm = _hkdf(browser.auth, ecdh_secret, key_info, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    unpadded = padded.rstrip(b"\x00")
    if not unpadded or unpadded[-1] != 2:  # the last record's delimiter
        raise ValueError("bad padding delimiter")
    return unpadded[:-1]


class VapidError(Exception):
    pass


def check_vapid(header: str, *, audience: str, application_server_key: str) -> dict:
    """The JWT's claims when the header is a valid RFC 8292 one, else VapidError."""
    if not header.lower().startswith("vapid "):
        raise VapidError("not the vapid scheme")
    params = {}
    for part in header[6:].split(","):
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    token, k = params.get("t", ""), params.get("k", "")
    if k != application_server_key:
        raise VapidError("k is not the key the subscription was made with")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(k))
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
    except ValueError as exc:
        raise VapidError("not a JWT") from exc
    head = json.loads(b64d(head_b64))
    if head.get("alg") != "ES256" or head.get("typ", "JWT") != "JWT":
        raise VapidError(f"bad JWT header {head}")
    sig = b64d(sig_b64)
    if len(sig) != 64:
        raise VapidError("ES256 signature must be 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidError("bad signature") from exc
    claims = json.loads(b64d(claims_b64))
    now = time.time()
    if claims.get("aud") != audience:
        raise VapidError(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not (now < int(claims.get("exp", 0)) <= now + 24 * 3600):
        raise VapidError("exp missing, past or more than 24 hours away")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError("sub must be a mailto: or https: URI")
    return claims


class PushService:
    def __init__(self, application_server_key: str):
        self.application_server_key = application_server_key
        self.browsers: dict[str, Browser] = {}
        self.script: dict[str, list] = {}
        self.received: list[dict] = []  # accepted and decrypted messages
        self.rejected: list[tuple[str, str]] = []
        self.requests: list[tuple[str, int]] = []  # (browser, answer) for every request
        self.hang_seconds = 2.0
        self.latency_seconds = 0.0  # bench/push_send.py: a service across the Internet
        self.lock = threading.Lock()
        self.server = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def browser(self, name: str, *answers) -> Browser:
        """A new browser subscription; `answers` are its next responses (then 201)."""
        browser = self.browsers[name] = Browser(name)
        self.script[name] = list(answers)
        return browser

    def messages_for(self, name: str) -> list[dict]:
        return [m for m in self.received if m["browser"] == name]

    def handle(self, handler) -> tuple[int, dict]:
        name = handler.path.rsplit("/", 1)[-1]
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        browser = self.browsers.get(name)
        with self.lock:
            answer = self.script.get(name, []).pop(0) if self.script.get(name) else 201
        if browser is None:
            return 404, {}
        try:
            claims = check_vapid(
                handler.headers.get("Authorization", ""),
                audience=self.origin,
                application_server_key=self.application_server_key,
            )
        except VapidError as exc:
            self.rejected.append((name, f"vapid: {exc}"))
            return 401, {}
        if handler.headers.get("TTL") is None:
            self.rejected.append((name, "no TTL"))
            return 400, {}
        if handler.headers.get("Content-Encoding") != "aes128gcm":
            self.rejected.append((name, "not aes128gcm"))
            return 415, {}
        try:
            plaintext = decrypt_aes128gcm(body, browser)
        except Exception as exc:  # noqa: BLE001 - any failure is a rejected message
            self.rejected.append((name, f"decrypt: {exc!r}"))
            return 400, {}
        self.requests.append((name, answer))
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        if answer == "hang":
            time.sleep(self.hang_seconds)
            return 201, {}
        if answer == 201:
            self.received.append(
                {
                    "browser": name,
                    "payload": json.loads(plaintext.decode("utf-8")),
                    "ttl": int(handler.headers["TTL"]),
                    "urgency": handler.headers.get("Urgency"),
                    "topic": handler.headers.get("Topic"),
                    "claims": claims,
                }
            )
            return 201, {"Location": f"{self.origin}/message/{len(self.received)}"}
        extra = {"Retry-After": "1"} if answer == 429 else {}
        return answer, extra


def start(application_server_key: str) -> PushService:
    service = PushService(application_server_key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            status, headers = service.handle(self)
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

        def log_message(self, *args):
            pass

    service.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.server.daemon_threads = True
    threading.Thread(target=service.server.serve_forever, daemon=True).start()
    return service
