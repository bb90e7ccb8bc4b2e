"""/healthz, /readyz and /metrics, and the request latency histogram (docs/operations.md).

The middleware sits right after TrustedProxyMiddleware (REMOTE_ADDR is the caller's real
address) and before everything else: the three endpoints answer here, without sessions,
host validation, the HTTPS redirect, the paywall or any page rendering, so a probe on
127.0.0.1:8000 works with any Host header and /healthz costs no query. Their answers
carry Cache-Control: no-store, so no page cache keeps them, and they are not timed into
the latency histogram (probes every few seconds would drown the readers' figures).

Who may read what: everyone gets /healthz and /readyz's check names, states and
latencies; the error text of a failing check (it may name hosts and ports) and /metrics
only go to addresses in HOITU_METRICS_ALLOWED_IPS or a caller presenting
`Authorization: Bearer <HOITU_METRICS_TOKEN>`. Anyone else asking for /metrics gets 404."""

import hmac
import ipaddress
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST

from config import health, metrics
from config.middleware import _networks


def trusted_caller(request) -> bool:
    token = settings.HOITU_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    if request.META.get("HTTP_X_FORWARDED_FOR") and not settings.TRUSTED_PROXIES:
        # Came through a proxy we were not told about: REMOTE_ADDR is the proxy's (often
        # 127.0.0.1), not the caller's. Only the token opens the door then.
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.HOITU_METRICS_ALLOWED_IPS)))


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request):
    ready, checks = health.readiness(detail=trusted_caller(request))
    body = {"status": "ok" if ready else "error", "checks": checks}
    if not ready:
        body["failing"] = [name for name, c in checks.items() if c["status"] != "ok"]
    return _no_store(JsonResponse(body, status=200 if ready else 503))


def metrics_view(request):
    if not trusted_caller(request):
        return _no_store(HttpResponseNotFound())
    return _no_store(HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST))


ENDPOINTS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        try:  # a typo fails at start-up, not at the first scrape
            _networks(tuple(settings.HOITU_METRICS_ALLOWED_IPS))
        except ImproperlyConfigured as exc:
            message = str(exc).replace("TRUSTED_PROXIES", "HOITU_METRICS_ALLOWED_IPS")
            raise ImproperlyConfigured(message) from None

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info.rstrip("/") or "/")
        if endpoint is not None:
            if request.method not in ("GET", "HEAD"):
                return _no_store(HttpResponse(status=405, headers={"Allow": "GET, HEAD"}))
            return endpoint(request)
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe(request, response.status_code, time.perf_counter() - started)
        return response
