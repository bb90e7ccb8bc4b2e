"""Serving a cut's files: through a signed link for a cut of a paid story (after the
paywall's gate), and the public MEDIA_URL path in development, which refuses those files.
In production nginx serves the bytes (`X-Accel-Redirect` to an `internal` location) and
asks `media_gate` before serving anything under MEDIA_URL itself (docs/media.md). On
object storage (`newsroom.media.storage`) the app answers, after the same checks, a
presigned redirect to the bucket, or an HLS playlist's text."""

import logging
from urllib.parse import quote, unquote

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from django.views.static import serve

from config.middleware import client_ip
from paywall.services import is_staff_reader, story_access

from ..models import MediaAsset, StoryPage
from .access import asset_names, raw_file_refused, read_token, story_cut_ids
from .storage import content_type, remote_storage

logger = logging.getLogger(__name__)

# An HLS playlist is a few kilobytes; anything larger under that name is not one of ours.
PLAYLIST_MAX_BYTES = 1024 * 1024


def refused_response(message: str) -> HttpResponse:
    """403 with a Vietnamese reason, never cached (also used by speech/views.py)."""
    response = HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, private=True, no_store=True)
    return response


def _from_bucket(storage, name: str) -> HttpResponse:
    """A checked file on object storage: an HLS playlist is answered here (its relative
    references must resolve under the checked address, not the bucket's), anything else
    by a redirect to a presigned link. Cacheable for a fraction of the link's life."""
    max_age = max(0, min(60, settings.HOITU_S3_URL_MAX_AGE // 4))
    if name.lower().endswith(".m3u8"):
        try:
            with storage.open(name, "rb") as handle:
                text = handle.read(PLAYLIST_MAX_BYTES + 1)
        except FileNotFoundError as exc:
            raise Http404("Không tìm thấy tệp.") from exc
        if len(text) > PLAYLIST_MAX_BYTES:
            raise Http404("Không tìm thấy tệp.")
        response = HttpResponse(text, content_type=content_type(name))
    else:
        response = HttpResponseRedirect(storage.signed_url(name, settings.HOITU_S3_URL_MAX_AGE))
    patch_cache_control(response, private=True, max_age=max_age)
    return response


def file_response(name: str) -> HttpResponse:
    """The bytes of a media file already checked by the caller: through nginx
    (X-Accel-Redirect), a presigned object-storage link, or from the disk."""
    accel = settings.HOITU_MEDIA_ACCEL_REDIRECT
    if accel:
        # nginx serves the bytes (ranges, sendfile) from its `internal` location.
        response = HttpResponse(content_type=content_type(name))
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    elif storage := remote_storage():
        response = _from_bucket(storage, name)
    else:
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404("Không tìm thấy tệp.") from exc
        response = FileResponse(handle, content_type=content_type(name))
    return response


def signed_link(request, token, read, noun: str):
    """Reads a signed link's token (`read`, whose last value is the reader it was signed
    for) for this request's reader: (values, None), or (None, the refusal, in Vietnamese:
    "Liên kết <noun> …"). Shared by the cut files and speech's listen files."""
    try:
        values = read(token)
    except signing.SignatureExpired:
        return None, refused_response(f"Liên kết {noun} đã hết hạn. Hãy tải lại trang bài viết.")
    except signing.BadSignature:
        logger.warning("Bad %s link signature from %s", noun, client_ip(request))
        return None, refused_response(f"Liên kết {noun} không hợp lệ.")
    user = request.user
    if (user.pk if user.is_authenticated else 0) != values[-1]:
        return None, refused_response(f"Liên kết {noun} này dành cho một bạn đọc khác.")
    return values, None


def private_file_response(name: str) -> HttpResponse:
    """file_response for one reader: private, for the link's life, varying by cookie."""
    response = file_response(name)
    if not response.has_header("Cache-Control"):  # a presigned redirect sets its own
        patch_cache_control(response, private=True, max_age=settings.HOITU_MEDIA_LINK_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def media_file(request, token, name):
    """`/tep-media/<token>/<storage name>`: one file of a cut of a paid story, for the
    reader and story the token was signed for, while the story's gate still lets them in."""
    values, refused = signed_link(request, token, read_token, "phát")
    if refused:
        return refused
    asset_id, story_id, _reader = values
    user = request.user
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or name not in asset_names(asset):
        raise Http404("Không tìm thấy tệp.")
    if story_id:
        story = StoryPage.objects.live().filter(pk=story_id).first()
        if story is None or asset.pk not in story_cut_ids(story):
            raise Http404("Không tìm thấy tệp.")
        if not story_access(request, story, count=False).full:
            return refused_response(
                "Âm thanh / video của bài này dành cho bạn đọc có quyền đọc bài."
            )
    elif not is_staff_reader(user):
        return refused_response("Tệp này chỉ dành cho người của tòa soạn.")
    return private_file_response(name)


@require_safe
def media_raw(request, path):
    """MEDIA_URL in development (`make run`), and on object storage in production (the
    address of every file that is not a public image): files of a cut of a paid story are
    not served at their public address; everything else as Django's static serve does, or
    through the bucket."""
    storage = remote_storage()
    if storage is None and not settings.DEBUG:
        raise Http404("Không tìm thấy tệp.")
    if raw_file_refused(path):
        raise Http404("Không tìm thấy tệp.")
    if storage is not None:
        return _from_bucket(storage, path)
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
