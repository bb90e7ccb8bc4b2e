"""POST /a/collect ahead of Django's middleware stack (config/wsgi.py).

Every open reading tab posts a beacon every 15 s, so it is the app's most frequent request,
and the twenty-odd middlewares around every view (sessions, CSRF, CSP, gzip, locale,
messages, axes, paywall, audit...) cost more than the beacon view itself. An anonymous post
(no session cookie, no query string) is answered here by the same view, `collect_view`,
with what it needs of the stack and nothing else:

- the reader's address resolved through TRUSTED_PROXIES (config/middleware.py), exactly as
  TrustedProxyMiddleware does;
- the Host check of ALLOWED_HOSTS (a bad host: 400, as through CommonMiddleware);
- Django's request signals (database connections checked and closed as for any request);
- the latency histogram of /metrics, labelled with the view's route name;
- Django's answer to an exception (logged, 500).

Validation, the flood limit and the no-loss buffer are the view's own, unchanged. Anything
else (a logged-in reader, whose place comes from their profile; another path or method)
goes through Django as before. Measured with bench/analytics_beacon.py (docs/analytics.md).
"""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.urls import resolve, reverse

from config import metrics
from config.middleware import real_client_address

from .views.collect import collect_view


def with_beacon_fast_path(django_app):
    """Wraps Django's WSGI application: anonymous beacon posts skip the middleware stack."""
    path = reverse("analytics:collect")
    match = resolve(path)
    session_cookie = settings.SESSION_COOKIE_NAME

    def application(environ, start_response):
        if (
            environ.get("PATH_INFO") != path
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or session_cookie in environ.get("HTTP_COOKIE", "")
        ):
            return django_app(environ, start_response)
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        started = time.perf_counter()
        request = WSGIRequest(environ)
        request.resolver_match = match
        request.user = AnonymousUser()
        try:
            request.get_host()  # DisallowedHost: 400, as through CommonMiddleware
            if trusted := settings.TRUSTED_PROXIES:
                request.META["REMOTE_ADDR"] = real_client_address(
                    request.META.get("REMOTE_ADDR", ""),
                    request.META.get("HTTP_X_FORWARDED_FOR", ""),
                    tuple(trusted),
                )
            response = collect_view(request)
        except Exception as exc:  # noqa: BLE001 - Django's own answer: logged, 400/500
            response = response_for_exception(request, exc)
        metrics.observe(request, response.status_code, time.perf_counter() - started)
        response._resource_closers.append(request.close)
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [
                *response.items(),
                *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
            ],
        )
        # Closing the response (the WSGI server does) sends request_finished, as in Django.
        return response

    return application
