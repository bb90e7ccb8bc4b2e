"""POST /a/collect ahead of Django's request handling (config/wsgi.py).

Every open reading tab posts a beacon every 15 s, so it is the app's most frequent request,
and the twenty-odd middlewares around every view (sessions, CSRF, CSP, gzip, locale,
messages, axes, paywall, audit...) and the building of an HttpRequest cost more than the
beacon itself. An anonymous post (no session cookie, no query string) is answered here,
straight from the WSGI environ, by the view's own decision (`answer` in
analytics/views/collect.py: validation, flood limit, no-loss buffer), with what it needs of
the stack and nothing else:

- the Host check of ALLOWED_HOSTS: a host Django has not yet accepted for this process goes
  through Django (which answers 400 and logs it, as through CommonMiddleware);
- the reader's address resolved through TRUSTED_PROXIES (config/middleware.py), exactly as
  TrustedProxyMiddleware does;
- Django's request signals (database connections checked and closed as for any request);
- the latency histogram of /metrics, labelled with the view's route name;
- Django's answer to an exception (logged, 500).

Anything else (a logged-in reader, whose place comes from their profile; another path or
method) goes through Django as before. Measured with bench/analytics_beacon.py
(docs/analytics.md).
"""

import io
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed
from django.urls import resolve, reverse

from config import metrics
from config.middleware import real_client_address

from .views.collect import answer

NO_CONTENT = "204 No Content"
REASONS = {
    400: "400 Bad Request",
    413: "413 Request Entity Too Large",
    429: "429 Too Many Requests",
}
HOSTS_MAX = 1_000


class HostVerdicts:
    """What Django answered for a Host (ALLOWED_HOSTS), remembered per set of headers:
    `allowed(key, request)` asks Django (request().get_host()) the first time only. Shared
    with the ASGI beacon (analytics/asgi.py)."""

    def __init__(self):
        self.verdicts: dict[tuple, bool] = {}
        setting_changed.connect(self.forget, weak=False)

    def forget(self, *, setting, **kwargs):
        if setting in ("ALLOWED_HOSTS", "USE_X_FORWARDED_HOST", "DEBUG"):
            self.verdicts.clear()

    def allowed(self, key: tuple, request) -> bool:
        allowed = self.verdicts.get(key)
        if allowed is None:
            try:
                request().get_host()
                allowed = True
            except DisallowedHost:
                allowed = False
            if len(self.verdicts) >= HOSTS_MAX:
                self.verdicts.clear()
            self.verdicts[key] = allowed
        return allowed


def latency_histograms(match) -> dict:
    """The /metrics latency histogram of the beacon's route, per status class."""
    return {
        status: metrics.REQUEST_LATENCY.labels(match.view_name, "POST", status)
        for status in ("2xx", "4xx", "5xx")
    }


def beacon_route() -> tuple:
    """What a fast path (this one, analytics/asgi.py's) sets up once: the beacon's path and
    route match, the session cookie's name, the anonymous user, the latency histograms and
    its HostVerdicts."""
    path = reverse("analytics:collect")
    match = resolve(path)
    return (
        path,
        match,
        settings.SESSION_COOKIE_NAME,
        AnonymousUser(),
        latency_histograms(match),
        HostVerdicts(),
    )


def with_beacon_fast_path(django_app):
    """Wraps Django's WSGI application: anonymous beacon posts skip the middleware stack."""
    path, match, session_cookie, anonymous, latency, hosts = beacon_route()

    def host_allowed(environ) -> bool:
        key = (
            environ.get("HTTP_X_FORWARDED_HOST"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
        )
        return hosts.allowed(
            key, lambda: WSGIRequest(dict(environ, **{"wsgi.input": io.BytesIO()}))
        )

    def application(environ, start_response):
        if (
            environ.get("PATH_INFO") != path
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or session_cookie in environ.get("HTTP_COOKIE", "")
            or not host_allowed(environ)  # Django answers 400 and logs DisallowedHost
        ):
            return django_app(environ, start_response)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        started = time.perf_counter()
        body = None
        length = environ.get("CONTENT_LENGTH") or "0"

        def read_body():  # called once `length` is known to be digits within the limit
            nonlocal body
            body = environ["wsgi.input"].read(int(length)) if int(length) else b""
            return body

        ip = environ.get("REMOTE_ADDR", "")
        try:
            if trusted := settings.TRUSTED_PROXIES:
                ip = real_client_address(
                    ip, environ.get("HTTP_X_FORWARDED_FOR", ""), tuple(trusted)
                )
            status, message = answer(
                length=length,
                read_body=read_body,
                ip=ip,
                user_agent=environ.get("HTTP_USER_AGENT", ""),
                user=anonymous,
            )
        except Exception as exc:  # noqa: BLE001 - Django's own answer: logged, 500
            return _django_answer(environ, body, match, exc, started, start_response)
        finally:
            signals.request_finished.send(sender=WSGIHandler)
        if status == 204:
            latency["2xx"].observe(time.perf_counter() - started)
            start_response(NO_CONTENT, [])
            return []
        latency["4xx"].observe(time.perf_counter() - started)
        content = message.encode()
        start_response(
            REASONS[status],
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(content))),
            ],
        )
        return [content]

    return application


def _django_answer(environ, body, match, exc, started, start_response):
    """Django's answer to an exception (a Redis outage: logged, 500)."""
    request = WSGIRequest(dict(environ, **{"wsgi.input": io.BytesIO(body or b"")}))
    request.resolver_match = match
    response = response_for_exception(request, exc)
    metrics.observe(request, response.status_code, time.perf_counter() - started)
    start_response(
        f"{response.status_code} {response.reason_phrase}",
        [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ],
    )
    return response
