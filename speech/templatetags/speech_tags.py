from django import template

from newsroom import fragments
from paywall.templatetags.paywall_tags import decision_for

from ..access import is_gated, player_sources
from ..models import ListenState, StoryAudio
from ..services import SKIPPED_FORMATS

register = template.Library()


def ready_audio(story_id: int):
    """The story's ready audio row, or None: once per fragment generation, which a change
    of any audio row moves too (apps.py)."""
    return fragments.remembered(
        lambda: StoryAudio.objects.filter(story_id=story_id, state=ListenState.READY).first(),
        "listen",
        story_id,
    )


@register.inclusion_tag("speech/player.html", takes_context=True)
def listen_player(context, story):
    """The "Nghe bài viết" player when the story's audio is ready and the reader may have
    it (a paid story's: only when the paywall's decision for this request is `full`)."""
    request = context.get("request")
    if story.primary_format in SKIPPED_FORMATS:  # never made for them: no query either
        return {"show": False}
    row = ready_audio(story.pk)
    if row is None or not row.mp3:
        return {"show": False}
    entitled = True
    if is_gated(row, story):
        entitled = request is not None and decision_for(request, story).full
    sources = player_sources(row, story, request=request, entitled=entitled)
    return {"show": True, "sources": sources, "audio": row, "story": story}
