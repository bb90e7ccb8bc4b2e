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


def after_response(callback) -> None:
    """Runs `callback` once the current request's view has finished (by the middleware),
    still in the request's context: for what a view saves after it logs."""
    request = current_request()
    if request is not None:
        request.__dict__.setdefault("_audit_after_response", []).append(callback)


def run_after_response(request) -> None:
    for callback in request.__dict__.pop("_audit_after_response", []):
        callback()
