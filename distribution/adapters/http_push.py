"""Signed HTTP push: JSON body, HMAC-SHA256 of the raw body in `X-Hoitu-Signature`,
media by URL. Receivers deduplicate on `Idempotency-Key` (one per delivery)."""

import hashlib
import hmac
import json
import time

from .base import PermanentError, http_error, request

SIGNATURE_HEADER = "X-Hoitu-Signature"
TIMESTAMP_HEADER = "X-Hoitu-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def story_json(story, event: str) -> dict:
    data = {
        "event": event,
        "id": story.guid,
        "url": story.url,
        "title": story.title,
        "standfirst": story.standfirst,
        "authors": story.authors,
        "section": story.section,
        "tags": story.tags,
        "published": story.published.isoformat() if story.published else None,
        "updated": story.updated.isoformat() if story.updated else None,
        "access": story.access_level,
        "text": story.text,
        "blocks": story.blocks,
        "media": [{"type": "image", "url": story.image_url}] if story.image_url else [],
        "publisher": {"agency": story.agency_name, "outlet": story.outlet_name},
    }
    return data


class HttpPushAdapter:
    def __init__(self, platform):
        self.platform = platform
        self.secret = platform.credentials.get("secret", "")
        if not self.secret:
            raise PermanentError("HTTP push platform has no signing secret")

    def _post(self, payload: dict, key: str) -> dict:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        response = request(
            "POST",
            self.platform.endpoint,
            what="push",
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                TIMESTAMP_HEADER: timestamp,
                "Idempotency-Key": key,
            },
        )
        if not 200 <= response.status_code < 300:
            raise http_error(response, "push")
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {}

    def publish(self, story, *, remote_id: str, progress: dict, key: str) -> str:
        event = "story.updated" if remote_id else "story.published"
        answer = self._post(story_json(story, event), key)
        return str(answer.get("id") or remote_id or story.guid)

    def remove(self, *, story_pk: int, remote_id: str, progress: dict, key: str) -> None:
        self._post({"event": "story.removed", "id": f"urn:hoitu:story:{story_pk}"}, key)
