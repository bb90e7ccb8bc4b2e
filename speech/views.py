"""The signed address of a paid story's audio (speech/access.py)."""

from django.http import Http404
from django.views.decorators.http import require_safe

from newsroom.media.files import private_file_response, refused_response, signed_link
from newsroom.models import StoryPage
from paywall.services import story_access

from .access import read_token
from .models import ListenState, StoryAudio


@require_safe
def listen_file(request, token, name):
    """`/nghe-bai-viet/<token>/<name>`: the audio of a paid story, for the reader the link
    was signed for, while the story's gate still lets them in."""
    values, refused = signed_link(request, token, read_token, "nghe")
    if refused:
        return refused
    story_id, _reader = values
    row = StoryAudio.objects.filter(story_id=story_id, state=ListenState.READY).first()
    story = StoryPage.objects.live().filter(pk=story_id).first()
    if row is None or story is None or name not in row.file_names():
        raise Http404("Không tìm thấy tệp.")
    if not story_access(request, story, count=False).full:
        return refused_response("Bản nghe của bài này dành cho bạn đọc có quyền đọc bài.")
    return private_file_response(name)
