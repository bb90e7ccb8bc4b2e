"""Encryption at rest of platform credentials (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from `DISTRIBUTION_CREDENTIALS_KEY` (a Fernet key, base64) when set, so it
can be rotated apart from SECRET_KEY; otherwise it is derived from SECRET_KEY."""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "DISTRIBUTION_CREDENTIALS_KEY", "") or ""
    if not key:
        digest = hashlib.sha256(
            ("hoitu.distribution.credentials:" + settings.SECRET_KEY).encode()
        ).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt_json(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        # Never print the token: it is the secret.
        raise ValueError("Platform credentials cannot be decrypted with the current key.") from exc


def mask(value: str) -> str:
    """What the admin shows of a secret: its last four characters at most."""
    value = str(value or "")
    if len(value) <= 8:
        return "•" * len(value)
    return "•" * 6 + value[-4:]
