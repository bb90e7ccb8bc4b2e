"""Fakes of outside platforms: real servers on 127.0.0.1, port 0, following each
platform's published contract (including its errors)."""

import hashlib
import hmac
import itertools
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class _Server:
    handler_class: type

    def __init__(self):
        self.lock = threading.Lock()
        outer = self

        class Handler(self.handler_class):
            fake = outer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake = None

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body, content_type="application/json"):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        try:
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


# -- Zalo OA ----------------------------------------------------------------------------
class ZaloHandler(_Handler):
    def do_GET(self):
        fake: ZaloFake = self.fake
        if self.headers.get("access_token", "") != fake.access_token:
            return self._send(200, {"error": -216, "message": "Access token is invalid"})
        if self.path.startswith("/v2.0/article/getslice"):
            with fake.lock:
                fake.log.append(("/v2.0/article/getslice", None))
                return self._send(200, fake.getslice(self.path))
        if self.path != "/v2.0/article/upload_video/verify":
            return self._send(404, {"error": -1, "message": "Not found"})
        with fake.lock:
            fake.log.append((self.path, self.headers.get("token", "")))
            return self._send(200, fake.verify_video(self.headers.get("token", "")))

    def do_POST(self):
        fake: ZaloFake = self.fake
        raw = self._body()
        fault = fake.fault()
        if fault == "timeout":
            time.sleep(fake.timeout_sleep)
            return self._send(504, {"error": "gateway timeout"})
        if fault == "500":
            return self._send(500, b"<html>Internal Server Error</html>", "text/html")
        if fault == "429":
            return self._send(429, {"error": -32, "message": "Exceed rate limit"})
        if fault == "garbage":
            return self._send(200, b"\x00\xffnot json at all", "text/plain")
        # "lost" is handled after the request is carried out (see below)
        if self.path == "/v4/oa/access_token":
            return self._send(200, fake.refresh(parse_qs(raw.decode()), self.headers))
        token = self.headers.get("access_token", "")
        if token != fake.access_token:
            fake.log.append(("expired", self.path))
            return self._send(200, {"error": -216, "message": "Access token is invalid"})
        if self.path == "/v2.0/article/upload_video/preparevideo":
            if not self.headers.get("Content-Type", "").startswith("multipart/form-data"):
                return self._send(200, {"error": -201, "message": "file is required"})
            with fake.lock:
                fake.log.append((self.path, len(raw)))
                return self._send(200, fake.prepare_video(raw))
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            return self._send(200, {"error": -201, "message": "Body is not JSON"})
        fake.log.append((self.path, payload))
        routes = {
            "/v2.0/article/create": fake.create,
            "/v2.0/article/update": fake.update,
            "/v2.0/article/verify": fake.verify,
            "/v2.0/article/remove": fake.remove,
        }
        route = routes.get(self.path)
        if route is None:
            return self._send(404, {"error": -1, "message": "Not found"})
        with fake.lock:
            answer = route(payload)
            if fault == "lost" and self.path == "/v2.0/article/create" and not answer["error"]:
                # Done on Zalo's side, but the answer never reaches the caller.
                fake.verify({"token": answer["data"]["token"]}, ready=True)
        if fault == "lost":
            time.sleep(fake.timeout_sleep)
            return self._send(504, {"error": "gateway timeout"})
        return self._send(200, answer)


class ZaloFake(_Server):
    """Zalo OA article API v2.0 and OAuth v4 token refresh, in memory."""

    handler_class = ZaloHandler
    LIMITS = {"title": 150, "author": 50, "description": 300}

    def __init__(
        self,
        *,
        fail_rate=0.0,
        faults=("500", "429", "timeout", "garbage", "lost"),
        polls_before_ready=1,
        seed=None,
    ):
        super().__init__()
        self.articles: dict[str, dict] = {}
        self.pending: dict[str, dict] = {}
        self.removed: list[str] = []
        self.log: list = []
        self.access_token = "AT-1"
        self.refresh_token = "RT-1"
        self.app_id = "app-1"
        self.secret_key = "app-secret"
        self.refreshes = 0
        self.refresh_delay = 0.0
        self.fail_rate = fail_rate
        self.faults = list(faults)
        self.polls_before_ready = polls_before_ready
        self.timeout_sleep = 1.5
        self.reject_fields: set[str] = set()
        self.random = random.Random(seed)
        self.ids = itertools.count(1000)
        self.forced_faults: list[str] = []
        self.videos_pending: dict[str, dict] = {}
        self.videos: set[str] = set()
        # What the next video conversion ends in: 1 ready, 2 locked, 4 failed, 5 deleted.
        self.video_outcome = 1

    def prepare_video(self, raw: bytes):
        if b'name="file"' not in raw:
            return {"error": -201, "message": "file is required"}
        token = f"vtok-{next(self.ids)}"
        self.videos_pending[token] = {"polls": 0, "size": len(raw)}
        return {"error": 0, "message": "Success", "data": {"token": token}}

    def verify_video(self, token: str):
        job = self.videos_pending.get(token)
        if job is None:
            return {"error": -201, "message": "Invalid token"}
        job["polls"] += 1
        if job["polls"] <= self.polls_before_ready:
            return {"error": 0, "data": {"status": 3, "convert_percent": 50}}
        video_id = job.setdefault("video_id", f"vid-{next(self.ids)}")
        if self.video_outcome != 1:
            return {"error": 0, "data": {"video_id": video_id, "status": self.video_outcome}}
        self.videos.add(video_id)
        return {"error": 0, "data": {"video_id": video_id, "status": 1, "convert_percent": 100}}

    def fault(self):
        with self.lock:
            if self.forced_faults:
                return self.forced_faults.pop(0)
            if self.fail_rate and self.random.random() < self.fail_rate:
                return self.random.choice(self.faults)
        return None

    def expire_access_token(self):
        with self.lock:
            self.access_token = f"AT-expired-{self.refreshes}"

    def refresh(self, form, headers):
        time.sleep(self.refresh_delay)  # Zalo's OAuth server is not instant
        with self.lock:
            given = (form.get("refresh_token") or [""])[0]
            if headers.get("secret_key") != self.secret_key:
                return {"error": -14002, "error_name": "Invalid secret key"}
            if (form.get("grant_type") or [""])[0] != "refresh_token":
                return {"error": -14003, "error_name": "Invalid grant type"}
            if given != self.refresh_token:
                # Single use: an old refresh token is refused.
                return {"error": -14014, "error_name": "Invalid refresh token"}
            self.refreshes += 1
            self.access_token = f"AT-{self.refreshes + 1}"
            self.refresh_token = f"RT-{self.refreshes + 1}"
            return {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }

    def _check(self, payload):
        if payload.get("type") not in ("normal", "video"):
            return {"error": -201, "message": "Invalid parameter: type"}
        for name, limit in self.LIMITS.items():
            value = payload.get(name, "")
            if payload["type"] == "video" and name == "author":
                continue
            if not value:
                return {"error": -201, "message": f"Invalid parameter: {name} is required"}
            if len(value) > limit:
                return {"error": -201, "message": f"Invalid parameter: {name} exceeds {limit}"}
        for name in self.reject_fields:
            if name in payload:
                return {"error": -201, "message": f"Invalid parameter: {name}"}
        if payload["type"] == "normal" and not payload.get("body"):
            return {"error": -201, "message": "Invalid parameter: body is required"}
        cover = payload.get("cover") or {}
        if payload["type"] == "normal" and not (
            cover.get("cover_type") == "photo" and cover.get("photo_url")
        ):
            # Zalo refuses articles without a cover (its SDKs always send one).
            return {"error": -201, "message": "Invalid parameter: cover is required"}
        if payload["type"] == "video":
            if payload.get("video_id") not in self.videos:
                return {"error": -201, "message": "Invalid parameter: video_id"}
            if not payload.get("avatar"):
                return {"error": -201, "message": "Invalid parameter: avatar is required"}
        return None

    def _token(self, article_id, payload):
        token = f"tok-{next(self.ids)}"
        self.pending[token] = {"id": article_id, "payload": payload, "polls": 0}
        return {"error": 0, "message": "Success", "data": {"token": token}}

    def create(self, payload):
        return self._check(payload) or self._token(None, payload)

    def update(self, payload):
        article_id = str(payload.get("id", ""))
        if article_id not in self.articles:
            return {"error": -201, "message": "Article does not exist"}
        return self._check(payload) or self._token(article_id, payload)

    def getslice(self, path):
        query = parse_qs(path.split("?", 1)[-1])
        kind = query.get("type", ["normal"])[0]
        offset = int(query.get("offset", ["0"])[0])
        limit = min(int(query.get("limit", ["10"])[0]), 10)
        medias = [
            {"id": article_id, "title": body["title"], "type": body["type"], "status": "show"}
            for article_id, body in reversed(self.articles.items())
            if body["type"] == kind
        ][offset : offset + limit]
        return {"error": 0, "message": "Success", "data": {"medias": medias, "total": len(medias)}}

    def verify(self, payload, ready=False):
        job = self.pending.get(payload.get("token", ""))
        if job is None:
            return {"error": -201, "message": "Invalid token"}
        job["polls"] += 1
        if job["polls"] <= self.polls_before_ready and not ready:
            # As Zalo does: "being processed" is an error code until the id exists.
            return {"error": -214, "message": "Article is being processed"}
        if job["id"] is None:
            job["id"] = f"art-{next(self.ids)}"
        body = {k: v for k, v in job["payload"].items() if k != "id"}
        self.articles[job["id"]] = body
        return {"error": 0, "message": "Success", "data": {"id": job["id"]}}

    def remove(self, payload):
        article_id = str(payload.get("id", ""))
        if article_id not in self.articles:
            return {"error": -201, "message": "Article does not exist"}
        del self.articles[article_id]
        self.removed.append(article_id)
        return {"error": 0, "message": "Success", "data": {"id": article_id}}


# -- Signed HTTP push receiver ------------------------------------------------------------
class PushHandler(_Handler):
    def do_POST(self):
        fake: PushFake = self.fake
        raw = self._body()
        with fake.lock:
            status = fake.statuses.pop(0) if fake.statuses else 200
        if status == "timeout":
            time.sleep(fake.timeout_sleep)
            return self._send(504, {})
        if status != 200:
            return self._send(status, {"error": f"status {status}"})
        timestamp = self.headers.get("X-Hoitu-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(
                fake.secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(expected, self.headers.get("X-Hoitu-Signature", "")):
            return self._send(401, {"error": "bad signature"})
        payload = json.loads(raw)
        key = self.headers.get("Idempotency-Key", "")
        with fake.lock:
            if key not in fake.seen_keys:
                fake.seen_keys.add(key)
                fake.received.append(payload)
        return self._send(200, {"id": f"remote-{payload['id']}"})


class PushFake(_Server):
    handler_class = PushHandler

    def __init__(self, secret="push-secret"):
        super().__init__()
        self.secret = secret
        self.statuses: list = []
        self.received: list[dict] = []
        self.seen_keys: set[str] = set()
        self.timeout_sleep = 1.5
