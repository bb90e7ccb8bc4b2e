"""The signed address of a paid story's audio (speech/access.py)."""

import logging

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from config.middleware import client_ip
from newsroom.media.files import file_response, refused_response
from newsroom.models import StoryPage
from paywall.services import story_access

from .access import read_token
from .models import ListenState, StoryAudio

logger = logging.getLogger(__name__)


@require_safe
def listen_file(request, token, name):
    """`/nghe-bai-viet/<token>/<name>`: the audio of a paid story, for the reader the link
    was signed for, while the story's gate still lets them in."""
    try:
        story_id, reader_id = read_token(token)
    except signing.SignatureExpired:
        return refused_response("Liên kết nghe đã hết hạn. Hãy tải lại trang bài viết.")
    except signing.BadSignature:
        logger.warning("Bad listen link signature from %s", client_ip(request))
        return refused_response("Liên kết nghe không hợp lệ.")
    user = request.user
    if (user.pk if user.is_authenticated else 0) != reader_id:
        return refused_response("Liên kết nghe này dành cho một bạn đọc khác.")
    row = StoryAudio.objects.filter(story_id=story_id, state=ListenState.READY).first()
    story = StoryPage.objects.live().filter(pk=story_id).first()
    if row is None or story is None or name not in row.file_names():
        raise Http404("Không tìm thấy tệp.")
    if not story_access(request, story, count=False).full:
        return refused_response("Bản nghe của bài này dành cho bạn đọc có quyền đọc bài.")
    response = file_response(name)
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, max_age=settings.HOITU_MEDIA_LINK_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response
