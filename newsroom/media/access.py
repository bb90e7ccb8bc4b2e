"""Who may fetch a cut's files. A cut (original, renditions, HLS playlists and segments,
poster) used by a paid story (metered or premium, as its audio or video) follows the
story's gate (`paywall.services.story_access`): its files are never at a public address;
the player gets short-lived links signed for the reader and the story, and
`media_file` checks the signature, the reader and the gate again before serving.

A link is a signed path prefix, `/tep-media/<token>/<storage name>`: an HLS playlist's
relative references (variant playlists, segments) resolve under the same prefix, so the
whole ladder plays with one token and no playlist is rewritten."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse

from paywall.access import AccessLevel

LINK_SALT = "newsroom.media.link"
_RENDITION_NAME = re.compile(r"^media_renditions/(\d+)/")


def paid_stories(asset):
    """Stories (any state) that are not free and carry the cut as their audio or video."""
    from ..models import StoryPage

    return StoryPage.objects.exclude(access_level=AccessLevel.FREE).filter(
        Q(audio=asset) | Q(video=asset)
    )


def is_protected(asset) -> bool:
    """True when the cut is used by a paid story (cached on the instance per request)."""
    cached = getattr(asset, "_hoitu_protected", None)
    if cached is None:
        cached = asset._hoitu_protected = paid_stories(asset).exists()
    return cached


def asset_names(asset) -> set[str]:
    """Every stored file of the cut: original, thumbnail, all rendition files."""
    names = {asset.file.name} if asset.file else set()
    if asset.thumbnail:
        names.add(asset.thumbnail.name)
    for rendition in asset.renditions.all():
        names.add(rendition.file.name)
        names.update(rendition.files or [])
    return names


def asset_for_name(name: str):
    """The cut a stored file belongs to, or None (images, documents, anything else)."""
    from ..models import MediaAsset

    name = name.lstrip("/")
    match = _RENDITION_NAME.match(name)
    if match:
        return MediaAsset.objects.filter(pk=int(match.group(1))).first()
    return MediaAsset.objects.filter(Q(file=name) | Q(thumbnail=name)).first()


def story_cut_ids(story) -> set[int]:
    """The cuts a story plays: its audio and video, and the audio/video blocks of its body."""
    ids = {story.audio_id, story.video_id}
    for block in story.body:
        if block.block_type in ("audio", "video") and block.value is not None:
            ids.add(getattr(block.value, "pk", block.value))
    ids.discard(None)
    return ids


def raw_file_refused(name: str) -> bool:
    """True when a file under MEDIA_URL must not be served at its public address."""
    if name.lstrip("/").startswith("speech/"):  # "Nghe bài viết" audio (speech/access.py)
        from speech.access import raw_file_refused as listen_refused

        return listen_refused(name)
    asset = asset_for_name(name)
    return asset is not None and is_protected(asset)


# --- Signed links -----------------------------------------------------------------------


def link_token(asset, story, user) -> str:
    """A token for the cut, the story it is played in (None: staff only) and the reader
    (anonymous: 0), valid `HOITU_MEDIA_LINK_MAX_AGE` seconds."""
    reader = user.pk if user is not None and user.is_authenticated else 0
    return signing.dumps([asset.pk, story.pk if story else 0, reader], salt=LINK_SALT)


def read_token(token: str) -> tuple[int, int, int]:
    """(asset id, story id, reader id); raises signing.BadSignature (SignatureExpired)."""
    value = signing.loads(token, salt=LINK_SALT, max_age=settings.HOITU_MEDIA_LINK_MAX_AGE)
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value)):
        raise signing.BadSignature("malformed media link")
    return value[0], value[1], value[2]


def signed_url(token: str, name: str) -> str:
    return reverse("newsroom:media_file", args=[token, name])


class PlayerFiles:
    """The addresses a player needs for a cut: public ones for a free cut, signed ones
    for a protected cut (only built once the reader is known to be entitled)."""

    def __init__(self, asset, token: str | None):
        self.asset = asset
        self.token = token

    def url(self, name: str) -> str:
        if self.token is None:
            from django.core.files.storage import default_storage

            return default_storage.url(name)
        return signed_url(self.token, name)

    @property
    def hls(self) -> str:
        hls = self.asset.hls
        return self.url(hls.file.name) if hls else ""

    @property
    def poster(self) -> str:
        poster = self.asset.poster
        if poster:
            return self.url(poster.file.name)
        return self.url(self.asset.thumbnail.name) if self.asset.thumbnail else ""

    @property
    def sources(self) -> list[dict]:
        return [
            {"url": self.url(r.file.name), "mime_type": r.mime_type, "height": r.height}
            for r in self.asset.progressive_sources
        ]

    @property
    def original(self) -> str:
        return self.url(self.asset.file.name) if self.asset.file else ""


def player_files(asset, *, request=None, story=None, entitled: bool = False):
    """What a player of `asset` may show, or None when the reader may not have it: a cut
    of a paid story needs `entitled` (the story's gate said yes) or a staff reader."""
    if not is_protected(asset):
        return PlayerFiles(asset, None)
    user = getattr(request, "user", None) if request is not None else None
    from paywall.gating import is_free
    from paywall.services import is_staff_reader

    entitled = entitled or (story is not None and is_free(story))
    if story is not None and entitled:
        return PlayerFiles(asset, link_token(asset, story, user))
    if is_staff_reader(user):
        return PlayerFiles(asset, link_token(asset, None, user))
    return None
