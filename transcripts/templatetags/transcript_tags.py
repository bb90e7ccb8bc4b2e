from django import template

from aiservices.models import Provider

from ..models import Transcript, TranscriptStatus

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """12.5 → "0:12"; 3725 → "1:02:05"."""
    total = int(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def provider_label(value) -> str:
    return dict(Provider.choices).get(value, value)


@register.simple_tag
def transcript_state(asset) -> str:
    try:
        transcript = asset.transcript
    except Transcript.DoesNotExist:
        return "Chưa có"
    if transcript.corrected:
        return "Đã hiệu đính"
    return TranscriptStatus(transcript.status).label


@register.inclusion_tag("transcripts/includes/reader_transcript.html", takes_context=True)
def reader_transcript(context, story, entitled=False):
    """The corrected transcript of a radio/TV story's cut, for a reader the story's gate
    lets in; nothing otherwise (docs/transcripts.md)."""
    from ..selectors import reader_transcript as find

    return {"segments": find(story.video or story.audio) if entitled else []}


@register.simple_tag
def caption_track(media) -> str:
    """`<track kind="captions">` for a video player, when the cut has public captions."""
    from django.urls import reverse
    from django.utils.html import format_html

    from ..selectors import public_captions

    if not public_captions(media):
        return ""
    return format_html(
        '<track kind="captions" srclang="vi" label="Tiếng Việt" src="{}">',
        reverse("transcripts_captions", args=[media.pk]),
    )
