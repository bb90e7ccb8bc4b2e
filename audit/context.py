"""The request being served, for signal handlers that are not handed one (log entries,
m2m changes, saves): who acts, from which address and device."""

from contextvars import ContextVar

_request = ContextVar("audit_request", default=None)


def current_request():
    return _request.get()


def set_request(request):
    return _request.set(request)


def reset(token) -> None:
    _request.reset(token)
