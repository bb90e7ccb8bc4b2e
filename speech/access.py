"""Who may fetch a story's audio. A free story's audio is a public file; a paid story's is
at an unguessable name that the public MEDIA_URL path refuses (`raw_file_refused`, asked
by newsroom.media.access), and readers get `/nghe-bai-viet/<token>/<name>`: a link signed
for the story and the reader, checked against the paywall's gate on every request, as the
cuts of paid stories are (docs/media.md)."""

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse

from paywall.gating import is_free

from .models import ListenState, StoryAudio

LINK_SALT = "speech.link"
PREFIX = "speech/"


def is_gated(row: StoryAudio, story) -> bool:
    return row.paid or not is_free(story)


def raw_file_refused(name: str) -> bool:
    """True when a file under speech/ must not be served at its public address: a paid
    story's audio, and any file no current audio row owns."""
    name = name.lstrip("/")
    row = (
        StoryAudio.objects.filter(Q(mp3=name) | Q(aac=name), state=ListenState.READY)
        .select_related("story")
        .first()
    )
    return row is None or is_gated(row, row.story)


def link_token(story, user) -> str:
    reader = user.pk if user is not None and user.is_authenticated else 0
    return signing.dumps([story.pk, reader], salt=LINK_SALT)


def read_token(token: str) -> tuple[int, int]:
    value = signing.loads(token, salt=LINK_SALT, max_age=settings.HOITU_MEDIA_LINK_MAX_AGE)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise signing.BadSignature("malformed listen link")
    return value[0], value[1]


def player_sources(row: StoryAudio, story, *, request, entitled: bool) -> list[dict] | None:
    """[{url, type}] for the player (AAC first: smaller), or None when the reader may not
    have the audio."""
    files = [(row.aac, "audio/mp4"), (row.mp3, "audio/mpeg")]
    if not is_gated(row, story):
        return [{"url": default_storage.url(f.name), "type": t} for f, t in files if f]
    if not entitled:
        return None
    token = link_token(story, getattr(request, "user", None))
    return [{"url": reverse("speech:file", args=[token, f.name]), "type": t} for f, t in files if f]
