"""Serving a cut's files: through a signed link for a cut of a paid story (after the
paywall's gate), and the public MEDIA_URL path in development, which refuses those files.
In production nginx serves the bytes (`X-Accel-Redirect` to an `internal` location) and
asks `media_gate` before serving anything under MEDIA_URL itself (docs/media.md)."""

import logging
import mimetypes
import posixpath
from urllib.parse import quote, unquote

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from django.views.static import serve

from config.middleware import client_ip
from paywall.services import is_staff_reader, story_access

from ..models import MediaAsset, StoryPage
from .access import asset_names, raw_file_refused, read_token, story_cut_ids

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
}


def _refused(message: str) -> HttpResponse:
    response = HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, private=True, no_store=True)
    return response


def _content_type(name: str) -> str:
    extension = posixpath.splitext(name)[1].lower()
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )


def _send(name: str) -> HttpResponse:
    accel = settings.HOITU_MEDIA_ACCEL_REDIRECT
    if accel:
        # nginx serves the bytes (ranges, sendfile) from its `internal` location.
        response = HttpResponse(content_type=_content_type(name))
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404("Không tìm thấy tệp.") from exc
        response = FileResponse(handle, content_type=_content_type(name))
    return response


@require_safe
def media_file(request, token, name):
    """`/tep-media/<token>/<storage name>`: one file of a cut of a paid story, for the
    reader and story the token was signed for, while the story's gate still lets them in."""
    try:
        asset_id, story_id, reader_id = read_token(token)
    except signing.SignatureExpired:
        return _refused("Liên kết phát đã hết hạn. Hãy tải lại trang bài viết.")
    except signing.BadSignature:
        logger.warning("Bad media link signature from %s", client_ip(request))
        return _refused("Liên kết phát không hợp lệ.")
    user = request.user
    if (user.pk if user.is_authenticated else 0) != reader_id:
        return _refused("Liên kết phát này dành cho một bạn đọc khác.")
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or name not in asset_names(asset):
        raise Http404("Không tìm thấy tệp.")
    if story_id:
        story = StoryPage.objects.live().filter(pk=story_id).first()
        if story is None or asset.pk not in story_cut_ids(story):
            raise Http404("Không tìm thấy tệp.")
        if not story_access(request, story, count=False).full:
            return _refused("Âm thanh / video của bài này dành cho bạn đọc có quyền đọc bài.")
    elif not is_staff_reader(user):
        return _refused("Tệp này chỉ dành cho người của tòa soạn.")
    response = _send(name)
    patch_cache_control(response, private=True, max_age=settings.HOITU_MEDIA_LINK_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def media_raw(request, path):
    """MEDIA_URL in development (`make run`): files of a cut of a paid story are not
    served at their public address; everything else as Django's static serve does."""
    if not settings.DEBUG:
        raise Http404("Không tìm thấy tệp.")
    if raw_file_refused(path):
        raise Http404("Không tìm thấy tệp.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def media_gate(request):
    """nginx `auth_request` before a file under MEDIA_URL: 204 to serve it, 403 when it
    belongs to a cut of a paid story (those go only through signed links)."""
    uri = request.headers.get("X-Original-URI", "")
    prefix = settings.MEDIA_URL
    if not uri.startswith(prefix):
        return HttpResponse(status=204)
    name = uri[len(prefix) :].split("?", 1)[0]
    if raw_file_refused(unquote(name)):
        return HttpResponse(status=403)
    return HttpResponse(status=204)
