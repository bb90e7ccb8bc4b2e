"""Structured logs: one JSON object per line, each carrying its request or task.

`JsonFormatter` writes every record as one line (production: `HOITU_LOG_FORMAT=json`, on
stdout, for the log collector; the `hoitu.audit` logger always). `RequestIdMiddleware`
gives each request an id (the proxy's `X-Request-ID` when it is a short safe token,
else a new one), echoes it in the response and binds the request to a context
variable; `ContextFilter` (on the handlers) adds the id, method, path, status, user and
client address to every record logged meanwhile. A Celery task is bound by its task id
(config/celery.py). docs/operations.md, "Logs"."""

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY
from django.utils.functional import empty

HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id, a UUID, a ULID...); anything else
# (newlines, quotes, a kilobyte of text) could forge or break a log line and is replaced.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_bound: ContextVar[dict | None] = ContextVar("hoitu_log_context", default=None)


def bind(**context):
    return _bound.set(context)


def unbind(token) -> None:
    _bound.reset(token)


def request_id_from(value: str | None) -> str:
    """The incoming id if it is a short safe token, else a fresh one."""
    if value and SAFE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _user_id(request, level: int) -> str | None:
    """The signed-in user's id: from the user when the request loaded it, else from the
    session, read for warnings and errors only (one session read, never a user query);
    an INFO line never costs a read."""
    user = getattr(request, "user", None)
    if getattr(user, "_wrapped", user) not in (None, empty):
        return str(user.pk) if user.is_authenticated else None
    session = getattr(request, "session", None)
    if session is None or (level < logging.WARNING and not hasattr(session, "_session_cache")):
        return None
    try:
        return session.get(SESSION_KEY)
    except Exception:  # a session store that is down must not stop the log line
        return None


def _request_fields(request, level: int) -> dict:
    fields = {
        "method": request.method,
        "path": request.path[:500],
        # Already resolved behind TRUSTED_PROXIES (config.middleware) by the time views log.
        "client": request.META.get("REMOTE_ADDR", ""),
    }
    if user_id := _user_id(request, level):
        fields["user_id"] = user_id
    return fields


class ContextFilter(logging.Filter):
    """Adds `request_id` (or "-") and `context` (the request's or task's fields)."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _bound.get()
        if not bound and hasattr(getattr(record, "request", None), "id"):
            # Django logs a 4xx/5xx response after the middleware chain has returned,
            # with the request attached to the record.
            bound = {"request_id": record.request.id, "request": record.request}
        record.request_id = bound["request_id"] if bound else "-"
        if bound:
            context = {"request_id": bound["request_id"]}
            if request := bound.get("request"):
                context.update(_request_fields(request, record.levelno))
            if task := bound.get("task"):
                context["task"] = task
            status = getattr(record, "status_code", None) or bound.get("status")
            if status:
                context["status"] = status
            record.context = context
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "module": record.module,
            "process": record.process,
        }
        payload.update(getattr(record, "context", {}))
        payload.update(getattr(record, "audit", {}))
        if record.exc_info and record.exc_info[0]:
            kind, value, tb = record.exc_info
            payload["exception"] = {
                "type": f"{kind.__module__}.{kind.__qualname__}",
                "message": str(value),
                "traceback": "".join(traceback.format_exception(kind, value, tb)),
            }
        elif record.exc_text:
            payload["exception"] = {"traceback": record.exc_text}
        return json.dumps(payload, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every line of the request, even a refusal, carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        context = {"request_id": request.id, "request": request}
        token = bind(**context)
        try:
            response = self.get_response(request)
            context["status"] = response.status_code
            response[HEADER] = request.id
            return response
        finally:
            unbind(token)


_task_tokens: dict = {}


def bind_task(task_id=None, task=None, **_):
    """Celery's task_prerun: every line of the task carries its id (an eager task run
    inside a request gets its own, and the request's comes back after it)."""
    _task_tokens[task_id] = bind(request_id=task_id, task=getattr(task, "name", None))


def unbind_task(task_id=None, **_):
    """Celery's task_postrun."""
    if (token := _task_tokens.pop(task_id, None)) is not None:
        unbind(token)
