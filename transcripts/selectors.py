"""Reads of transcripts: what a staff member may open, the staff search over corrected
transcripts, what a reader is shown."""

from django.db.models import QuerySet

from newsroom.media.sharing import media_permission_policy
from newsroom.models import MediaAsset
from search.folding import WORD_RE, fold

from .models import Segment, Transcript


def search_form(text: str) -> str:
    """Folded words separated by single spaces, padded: " thanh hoa mua lua " (a phrase
    matches as a whole-word substring)."""
    return " " + " ".join(WORD_RE.findall(fold(text))) + " "


def cuts_editable_by(user) -> QuerySet[MediaAsset]:
    """Cuts whose transcript `user` may open and correct: those they may change (their
    agency's collections, their own uploads); never another agency's."""
    return media_permission_policy().instances_user_has_permission_for(user, "change")


def transcript_for(user, asset_id: int) -> MediaAsset | None:
    return cuts_editable_by(user).filter(pk=asset_id).first()


def transcript_search(user, query: str, *, limit: int = 20) -> list[dict]:
    """Corrected transcripts of the cuts `user` may open whose text holds every word of
    `query` (diacritics or not), each with the first segment that matches."""
    words = WORD_RE.findall(fold(query or ""))[:12]
    if not words:
        return []
    found = Transcript.objects.filter(
        corrected=True, asset__in=cuts_editable_by(user).values("pk")
    ).select_related("asset")
    phrase = " " + " ".join(words) + " "
    for word in words:
        found = found.filter(search_text__contains=f" {word} ")
    hits = []
    for transcript in found.order_by("-corrected_at")[:limit]:
        segments = list(transcript.segments.all())
        first = next(
            (s for s in segments if phrase in search_form(s.text)),
            next((s for s in segments if f" {words[0]} " in search_form(s.text)), None),
        )
        hits.append({"transcript": transcript, "asset": transcript.asset, "segment": first})
    return hits


def reader_transcript(asset) -> list[Segment]:
    """The segments a reader may see under a radio/TV story: of a corrected transcript
    only ([] otherwise). One query, cached on the instance: the story page and its video
    player ask for the same cut."""
    if asset is None:
        return []
    if not hasattr(asset, "_hoitu_reader_segments"):
        asset._hoitu_reader_segments = list(
            Segment.objects.filter(transcript__asset=asset, transcript__corrected=True)
            .exclude(text="")
            .order_by("position")
        )
    return asset._hoitu_reader_segments


def _vtt_time(seconds: float) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())  # no blank line may end a cue early


def webvtt(segments: list[Segment]) -> str:
    """A corrected transcript's segments as WebVTT captions, one cue per segment."""
    cues = ["WEBVTT", ""]
    for number, segment in enumerate(segments, 1):
        end = max(segment.end, segment.start + 0.5)
        cues += [
            str(number),
            f"{_vtt_time(segment.start)} --> {_vtt_time(end)}",
            _vtt_text(segment.text),
            "",
        ]
    return "\n".join(cues)


def public_captions(asset) -> list[Segment]:
    """Captions anyone may fetch: a corrected transcript of a cut no paid story uses (a
    paid story's words stay behind its gate: the reader sees them in "Xem lời thoại")."""
    from newsroom.media.access import is_protected

    if asset is None or asset.type != "video" or is_protected(asset):
        return []
    return reader_transcript(asset)
