"""The installable app of each outlet: manifest, icons, the service worker at the site's
root, the offline page and the list of stories the worker keeps (docs/offline.md)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET
from wagtail.models import Site

from config.middleware import client_ip
from newsroom.selectors import outlet_for_site

from . import icons, selectors


def _site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không có trang này.")
    return site


def _app_name(site) -> str:
    outlet = outlet_for_site(site)
    return outlet.name if outlet else site.site_name or "Hội Tụ"


@require_GET
def manifest(request):
    site = _site(request)
    name = _app_name(site)
    outlet = outlet_for_site(site)
    colour = settings.HOITU_OFFLINE_THEME_COLOUR
    icon_list = [
        {
            "src": reverse("offline:icon", args=[size]),
            "sizes": f"{size}x{size}",
            "type": "image/png",
        }
        for size in icons.SIZES
    ] + [
        {
            "src": reverse("offline:icon_maskable", args=[512]),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    ]
    body = {
        "id": "/",
        "name": name,
        "short_name": icons.initials(name) if len(name) > 12 else name,
        "description": (outlet.tagline if outlet else "") or name,
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": colour,
        "background_color": "#ffffff",
        "icons": icon_list,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = f"public, max-age={settings.HOITU_OFFLINE_MANIFEST_MAX_AGE}"
    return response


@require_GET
def icon(request, size: int, maskable: bool = False):
    if size not in icons.SIZES:
        raise Http404("Không có biểu tượng cỡ này.")
    png = icons.icon_png(
        _app_name(_site(request)), size, settings.HOITU_OFFLINE_THEME_COLOUR, maskable=maskable
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={settings.HOITU_OFFLINE_MANIFEST_MAX_AGE}"
    return response


def worker_config() -> dict:
    """What the worker's code is given: cache the shell with, import, keep."""
    return {
        "offlinePage": reverse("offline:page"),
        "listUrl": reverse("offline:list"),
        "shell": [
            reverse("offline:page"),
            static("css/site.css"),
            static("offline/offline.js"),
            static("newsroom/player.js"),
        ],
        "hlsLib": static("newsroom/vendor/hls.js/hls.min.js"),
        "maxPages": settings.HOITU_OFFLINE_MAX_PAGES,
        "maxImages": settings.HOITU_OFFLINE_MAX_IMAGES,
        "networkTimeoutMs": settings.HOITU_OFFLINE_NETWORK_TIMEOUT_MS,
        "refreshMinMs": settings.HOITU_OFFLINE_REFRESH_MINUTES * 60_000,
        "noCache": list(settings.HOITU_OFFLINE_NEVER_CACHE),
    }


@require_GET
def service_worker(request):
    """/sw.js: at the root so its scope is the whole site. Revalidated on every check
    (`no-cache`): a new version reaches readers at their next visit, and the page cache
    in front (deploy/nginx/hoitu.conf) never keeps it."""
    config = worker_config()
    imports = [static(path) for path in settings.HOITU_SERVICE_WORKER_IMPORTS]
    body = render_to_string(
        "offline/sw.js",
        {"config": json.dumps(config, ensure_ascii=False), "imports": json.dumps(imports)},
    )
    # The version names the shell cache: a change of code, settings or static files
    # (their hashed names in production) makes a new worker and a fresh shell.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    body = body.replace("__HOITU_SW_VERSION__", version)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache, max-age=0"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request):
    """Đọc ngoại tuyến: what this device keeps (filled in by offline.js from the worker's
    caches); the same for everyone, so the worker keeps it from its first visit."""
    _site(request)
    response = HttpResponse(render_to_string("offline/offline_page.html", request=request))
    personal = request.user.is_authenticated  # a staff member's page carries the user bar
    response["Cache-Control"] = "private, max-age=0" if personal else "public, max-age=300"
    response["X-Hoitu-Offline"] = "public"
    return response


def _too_many(request) -> bool:
    """List requests per address and minute (the cache holds a hash, never the IP)."""
    ip = hashlib.sha256(client_ip(request).encode()).hexdigest()[:20]
    key = f"offline:list-rate:{ip}"
    if cache.add(key, 1, 60):
        return False
    try:
        return cache.incr(key) > settings.HOITU_OFFLINE_LISTS_PER_MINUTE
    except ValueError:
        return False


@require_GET
def offline_list(request):
    """The stories the worker keeps for a home, section or story page (`?trang=<path>`),
    for this reader: free ones for everyone, paid ones only for a reader who gets them in
    full without the fetch charging the meter."""
    site = _site(request)
    if _too_many(request):
        return _json_error("Bạn thao tác quá nhanh. Hãy thử lại sau ít phút.", 429)
    path = request.GET.get("trang", "")
    page = selectors.page_for_path(site, path)
    if page is None:
        return _json_error("Không tìm thấy trang để lưu.", 404)
    data = selectors.offline_list(request, site=site, page=page)
    if data["kind"] == "story" and not data["stories"]:
        return _json_error(
            "Bài thu phí chỉ được lưu trên máy của bạn đọc có quyền đọc toàn bài. "
            "Hãy đăng nhập bằng tài khoản có gói cước.",
            403,
        )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    if request.user.is_authenticated:
        response["Cache-Control"] = "private, no-store"
    else:
        # Free stories only, the same for every anonymous reader: the page cache in front
        # (deploy/nginx/hoitu.conf) may keep it a little (a personal cookie skips it there).
        patch_cache_control(response, public=True, max_age=settings.HOITU_PAGE_CACHE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
    return response


def _json_error(message: str, status: int):
    response = JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response
