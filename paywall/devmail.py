"""Dev only: the e-mail `make run` sends, readable in the browser ("Hộp thư thử nghiệm").

`config/settings/dev.py` writes mail with Django's file backend into EMAIL_FILE_PATH (one
file per connection, messages separated by a line of 79 dashes). This page lists them,
newest first, links clickable. It answers 404 unless DEBUG is on and the file backend is
the one in use, so production never serves it."""

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
SHOWN = 50


def outbox_enabled() -> bool:
    return bool(
        settings.DEBUG
        and settings.EMAIL_BACKEND == FILE_BACKEND
        and getattr(settings, "EMAIL_FILE_PATH", None)
    )


@dataclass
class SentMail:
    subject: str
    to: str
    sent_at: datetime
    body: str


def _text_of(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def sent_mail(directory) -> list[SentMail]:
    """Messages in the file backend's directory, newest first (at most SHOWN)."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    parser = BytesParser(policy=policy.default)
    found = []
    for path in files:
        sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
        chunks = [c for c in path.read_bytes().split(SEPARATOR) if c.strip()]
        for chunk in reversed(chunks):
            message = parser.parsebytes(chunk)
            found.append(
                SentMail(
                    subject=str(message.get("Subject", "")),
                    to=str(message.get("To", "")),
                    sent_at=sent_at,
                    body=_text_of(message),
                )
            )
        if len(found) >= SHOWN:
            break
    return found[:SHOWN]


@never_cache
@require_GET
def outbox(request):
    if not outbox_enabled():
        raise Http404
    return render(
        request,
        "paywall/dev/outbox.html",
        {"messages_sent": sent_mail(settings.EMAIL_FILE_PATH), "folder": settings.EMAIL_FILE_PATH},
    )
