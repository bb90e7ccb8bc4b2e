"""VAPID keys (RFC 8292) and the browser's subscription keys (RFC 8291), as the Push API
spells them: unpadded base64url of the raw P-256 values."""

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url_decode(value: str) -> bytes:
    """Raises ValueError on anything but base64url (padded or not)."""
    if not isinstance(value, str) or not value.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_key_point(value: str) -> ec.EllipticCurvePublicKey:
    """A P-256 public key in uncompressed form (65 bytes, 0x04 first), checked to be a
    point of the curve."""
    raw = b64url_decode(value)
    if len(raw) != 65 or raw[0] != 4:
        raise ValueError("not an uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def private_key(value: str) -> ec.EllipticCurvePrivateKey:
    raw = b64url_decode(value)
    if len(raw) != 32:
        raise ValueError("a VAPID private key is 32 bytes")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def public_of(private_value: str) -> str:
    point = private_key(private_value).public_key()
    return b64url_encode(
        point.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def generate_pair() -> tuple[str, str]:
    """(private, public) for HOITU_VAPID_PRIVATE_KEY and HOITU_VAPID_PUBLIC_KEY."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
    return private, public_of(private)
