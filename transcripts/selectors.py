"""Reads of transcripts: what a staff member may open, the staff search over corrected
transcripts, what a reader is shown."""

from django.db.models import QuerySet

from newsroom.media.sharing import media_permission_policy
from newsroom.models import MediaAsset
from search.folding import WORD_RE, fold

from .models import Transcript


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


def reader_transcript(asset) -> Transcript | None:
    """The transcript a reader may see under a radio/TV story: corrected ones only."""
    if asset is None:
        return None
    return (
        Transcript.objects.filter(asset=asset, corrected=True).prefetch_related("segments").first()
    )
