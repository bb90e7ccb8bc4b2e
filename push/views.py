"""Reader endpoints of the push app: the browser's subscription posted by push/push.js,
its removal, the service worker's receipt and the counted click. Thin: the work is in
services. JSON in, JSON out, messages in Vietnamese."""

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Site

from config.middleware import client_ip

from . import services

logger = logging.getLogger(__name__)

MAX_BODY = 4096


def _error(message: str, status: int = 400, code: str = "invalid"):
    return JsonResponse({"error": message, "code": code}, status=status)


def _too_many(request, kind: str, limit: int) -> bool:
    """Requests per address and hour (the cache holds a hash, never the IP)."""
    ip = hashlib.sha256(client_ip(request).encode()).hexdigest()[:20]
    key = f"push:{kind}-rate:{ip}"
    if cache.add(key, 1, 3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, 3600)
        return False
    return count > limit


def _same_origin(request) -> bool:
    """CSRF for a fetch() from our own page: the browser's Origin (or Sec-Fetch-Site) says
    where the request comes from, and a JSON body cannot be sent cross-site without a CORS
    preflight we never answer. Pages are cached for anonymous readers, so no token."""
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _json_body(request):
    if request.content_type != "application/json":
        raise services.PushError("Yêu cầu phải gửi dữ liệu JSON.", "content_type")
    if len(request.body) > MAX_BODY:
        raise services.PushError("Dữ liệu đăng ký quá lớn.", "too_large")
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise services.PushError("Dữ liệu đăng ký không đọc được (JSON).", "json") from exc


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không xác định được trang báo.")
    return site


@csrf_exempt  # checked by _same_origin: see its docstring
@never_cache
@require_POST
def subscribe(request):
    if not settings.HOITU_PUSH_ENABLED:
        return _error("Trang báo chưa bật thông báo tin nóng.", 404, "disabled")
    if not _same_origin(request):
        return _error("Yêu cầu không đến từ trang báo này.", 403, "origin")
    if _too_many(request, "subscribe", settings.PUSH_SUBSCRIBES_PER_HOUR):
        return _error("Bạn thao tác quá nhiều lần. Vui lòng thử lại sau ít phút.", 429, "rate")
    site = _site(request)
    try:
        _, created = services.subscribe(site=site, data=_json_body(request), user=request.user)
    except services.PushError as exc:
        return _error(exc.message, code=exc.code)
    return JsonResponse(
        {"ok": True, "message": "Đã bật nhận tin nóng. Bạn sẽ nhận thông báo khi có tin mới."},
        status=201 if created else 200,
    )


@csrf_exempt  # checked by _same_origin
@never_cache
@require_POST
def unsubscribe(request):
    if not _same_origin(request):
        return _error("Yêu cầu không đến từ trang báo này.", 403, "origin")
    if _too_many(request, "unsubscribe", settings.PUSH_SUBSCRIBES_PER_HOUR):
        return _error("Bạn thao tác quá nhiều lần. Vui lòng thử lại sau ít phút.", 429, "rate")
    site = _site(request)
    try:
        data = _json_body(request)
        services.unsubscribe(
            site=site, endpoint=data.get("endpoint") if isinstance(data, dict) else None
        )
    except services.PushError as exc:
        return _error(exc.message, code=exc.code)
    return JsonResponse({"ok": True, "message": "Đã tắt nhận tin nóng trên trình duyệt này."})


@csrf_exempt  # posted by the service worker with a signed token, no cookie
@never_cache
@require_POST
def receipt(request, token):
    if _too_many(request, "receipt", settings.PUSH_RECEIPTS_PER_HOUR):
        return _error("Quá nhiều yêu cầu.", 429, "rate")
    if len(token) > 200 or not services.record_receipt(token=token, request=request):
        return _error("Mã xác nhận không hợp lệ.", 404, "token")
    return JsonResponse({"ok": True})


@never_cache
@require_GET
def click(request, token):
    url = None if len(token) > 200 else services.record_click(token=token, request=request)
    if url is None:
        raise Http404("Liên kết thông báo không hợp lệ.")
    return HttpResponseRedirect(url)
