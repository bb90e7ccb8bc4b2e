"""Writes of transcripts: queue, transcribe through the agency's STT accounts, correct,
turn into a draft story (docs/transcripts.md). Views and tasks are thin callers."""

import datetime
import logging
import subprocess

from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.log_actions import log
from wagtail.rich_text import RichText

from aiservices import services as ai
from newsroom.media.access import paid_stories
from newsroom.media.services import queue_when_idle
from newsroom.media.sharing import asset_agency
from newsroom.models import MediaAsset

from .adapters import ADAPTERS, adapter_for, chunk_seconds
from .audio import speech_chunks
from .models import Segment, Transcript, TranscriptStatus
from .selectors import search_form

logger = logging.getLogger(__name__)

SEGMENT_MAX_CHARS = 5000
NOT_CONFIGURED_MESSAGE = (
    "Chưa cấu hình: cơ quan chưa có tài khoản chuyển giọng nói thành văn bản "
    "(Quản trị → Dịch vụ AI)."
)
PAID_MESSAGE = (
    "Không gửi: tệp chỉ dùng trong bài thu phí và chính sách dịch vụ AI của cơ quan không "
    "cho phép gửi nội dung thu phí ra nhà cung cấp."
)


def transcript_request(*, asset: MediaAsset, user=None) -> Transcript:
    """Marks the cut's transcript pending and queues the work after commit. A corrected
    transcript is never overwritten from here (the staff's work would be lost)."""
    from .tasks import transcribe_cut

    transcript, _ = Transcript.objects.get_or_create(asset=asset)
    if transcript.corrected and user is not None:
        raise ValidationError(
            "Bản ghi lời này đã được hiệu đính; tạo lại sẽ xóa phần hiệu đính nên không thực hiện."
        )
    Transcript.objects.filter(pk=transcript.pk).update(
        status=TranscriptStatus.PENDING,
        error="",
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    transcript.refresh_from_db()

    def send():
        try:
            transcribe_cut.delay(asset.pk)
        except Retry:  # eager Celery (tests, `make run`): the retry is raised to the sender
            logger.info("Transcript of cut %s will be retried", asset.pk)
        except Exception:  # broker away: the transcript stays pending; the button re-queues
            logger.exception("Could not queue the transcript of cut %s", asset.pk)

    transaction.on_commit(send)
    return transcript


def transcripts_requeue(*, limit: int = 200) -> list[int]:
    """Beat: transcripts pending long after they were asked for (longer than the task's
    retries take: HOITU_TRANSCRIPT_REQUEUE_AFTER) whose job never reached the broker
    (it was away at commit) are queued again, when the default queue is idle. Returns the
    cut ids."""
    from celery import current_app

    from .tasks import transcribe_cut

    cutoff = timezone.now() - datetime.timedelta(seconds=settings.HOITU_TRANSCRIPT_REQUEUE_AFTER)
    ids = list(
        Transcript.objects.filter(status=TranscriptStatus.PENDING, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("asset_id", flat=True)[:limit]
    )
    sent = queue_when_idle(current_app.conf.task_default_queue, ids, transcribe_cut.delay)
    if sent:
        logger.warning("Transcripts of cuts %s were pending with no job: queued again", sent)
    return sent


def cut_ready(*, asset_id: int) -> None:
    """The media pipeline finished a cut (new or replaced original): transcribe it."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or asset.type not in ("audio", "video"):
        return
    transcript = Transcript.objects.filter(asset=asset).first()
    if transcript is not None and transcript.corrected:
        # A new original: the old timings and words no longer match it.
        Transcript.objects.filter(pk=transcript.pk).update(
            corrected=False, corrected_by=None, corrected_at=None, search_text=""
        )
    transcript_request(asset=asset)


def paid_only(asset: MediaAsset) -> bool:
    """A cut that only paid stories use (none free): its words are paid content."""
    from django.db.models import Q

    from newsroom.models import StoryPage

    if not paid_stories(asset).exists():
        return False
    return (
        not StoryPage.objects.filter(Q(audio=asset) | Q(video=asset))
        .exclude(pk__in=paid_stories(asset).values("pk"))
        .exists()
    )


def _set(transcript_id, **fields):
    Transcript.objects.filter(pk=transcript_id).update(**fields)


def transcribe(*, asset_id: int) -> str:
    """Transcribes a cut with the first of the agency's STT accounts that answers.
    Returns the outcome ("done", "not_configured", "paid_refused", "failed", "missing").
    Raises TransientProviderError when every account failed for a passing reason (the
    task retries later)."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        return "missing"
    transcript, _ = Transcript.objects.get_or_create(asset=asset)
    if transcript.corrected:
        return "corrected"
    if not asset.is_ready:
        _set(transcript.pk, status=TranscriptStatus.PENDING, error="Tệp chưa xử lý xong.")
        return "not_ready"
    agency = asset_agency(asset)
    accounts = (
        [a for a in ai.accounts(agency, ai.Capability.STT) if a.provider in ADAPTERS]
        if agency
        else []
    )
    if not accounts:
        _set(transcript.pk, status=TranscriptStatus.NOT_CONFIGURED, error=NOT_CONFIGURED_MESSAGE)
        return "not_configured"
    if paid_only(asset) and not ai.may_send(agency, paid=True):
        _set(transcript.pk, status=TranscriptStatus.PAID_REFUSED, error=PAID_MESSAGE)
        return "paid_refused"
    _set(transcript.pk, status=TranscriptStatus.RUNNING, error="")
    errors, transient = [], False
    for account in accounts:
        try:
            heard = _transcribe_with(asset, agency, account, transcript.requested_by)
        except ai.TransientProviderError as exc:
            transient = True
            errors.append(f"{account.get_provider_display()}: {exc}")
            continue
        except ai.ProviderError as exc:
            errors.append(f"{account.get_provider_display()}: {exc}")
            continue
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            logger.warning("Cut %s: audio could not be prepared: %s", asset_id, exc)
            _set(
                transcript.pk,
                status=TranscriptStatus.FAILED,
                error="Không tách được âm thanh của tệp để nhận dạng.",
            )
            return "failed"
        _store(transcript.pk, account.provider, heard)
        return "done"
    message = "Nhà cung cấp không nhận dạng được: " + "; ".join(errors)
    _set(transcript.pk, status=TranscriptStatus.FAILED, error=message[:2000])
    if transient:
        raise ai.TransientProviderError(message)
    return "failed"


def _transcribe_with(asset, agency, account, user):
    from newsroom.media.services import _local_original

    adapter = adapter_for(account)
    heard = []
    with ai.track(
        agency, account.provider, ai.Capability.STT, subject=f"tệp {asset.pk}", user=user
    ) as call:
        with (
            _local_original(asset) as path,
            speech_chunks(path, seconds=chunk_seconds(account.provider)) as chunks,
        ):
            for chunk in chunks:
                heard += adapter.transcribe(chunk)
                call.units = int(round(chunk.end))
    return heard


@transaction.atomic
def _store(transcript_id, provider, heard) -> None:
    transcript = Transcript.objects.select_for_update().get(pk=transcript_id)
    if transcript.corrected:  # corrected meanwhile: the staff's words win
        return
    transcript.segments.all().delete()
    Segment.objects.bulk_create(
        Segment(
            transcript=transcript,
            position=i,
            start=h.start,
            end=h.end,
            text=h.text,
            original_text=h.text,
        )
        for i, h in enumerate(heard)
    )
    _set(
        transcript_id,
        status=TranscriptStatus.DONE,
        provider=provider,
        error="",
        transcribed_at=timezone.now(),
        search_text="",
    )


def transcript_fail(*, asset_id: int, reason: str) -> None:
    Transcript.objects.filter(asset_id=asset_id).update(
        status=TranscriptStatus.FAILED, error=reason
    )


@transaction.atomic
def transcript_correct(*, transcript: Transcript, user, texts: dict[int, str]) -> Transcript:
    """Saves the staff's wording of each segment (the provider's stays in original_text),
    marks the transcript corrected by `user`, refreshes its search text."""
    segments = {s.pk: s for s in transcript.segments.select_for_update()}
    errors = []
    for pk, text in texts.items():
        if pk not in segments:
            errors.append("Đoạn lời không thuộc bản ghi này.")
        elif len(text) > SEGMENT_MAX_CHARS:
            errors.append(
                f"Đoạn lúc {segments[pk].start:.0f} giây dài quá {SEGMENT_MAX_CHARS} ký tự."
            )
    if errors:
        raise ValidationError(errors)
    changed = []
    for pk, text in texts.items():
        text = " ".join(text.split())
        if segments[pk].text != text:
            segments[pk].text = text
            changed.append(segments[pk])
    Segment.objects.bulk_update(changed, ["text"])
    transcript.corrected = True
    transcript.corrected_by = user
    transcript.corrected_at = timezone.now()
    transcript.search_text = search_form(
        " ".join(s.text for s in sorted(segments.values(), key=lambda s: s.position))
    )
    transcript.save(update_fields=["corrected", "corrected_by", "corrected_at", "search_text"])
    log(
        instance=transcript,
        action="transcripts.correct",
        user=user,
        data={"asset": transcript.asset_id, "segments_changed": len(changed)},
    )
    return transcript


def _paragraphs(transcript: Transcript, *, max_chars: int = 700) -> list[str]:
    """The transcript's segments joined into paragraphs of a readable length."""
    paragraphs, current = [], ""
    for segment in transcript.segments.all():
        if not segment.text:
            continue
        current = f"{current} {segment.text}".strip()
        if len(current) >= max_chars or current.endswith((".", "?", "!")) and len(current) > 200:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


@transaction.atomic
def story_from_transcript(*, transcript: Transcript, section, title: str, user):
    """A DRAFT text story under `section` (the user must be allowed to add stories there):
    the transcript as paragraphs, the cut attached, the user as author. Never published."""
    from newsroom.models import PrimaryFormat, StoryByline, StoryPage

    if not section.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied("Bạn không có quyền tạo bài trong chuyên mục này.")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Hãy nhập tiêu đề bài.")
    if len(title) > 255:
        raise ValidationError("Tiêu đề dài quá 255 ký tự.")
    paragraphs = _paragraphs(transcript)
    if not paragraphs:
        raise ValidationError("Bản ghi lời chưa có nội dung để tạo bài.")
    asset = transcript.asset
    # The opening words as the standfirst, for the desk to rewrite (the field is required).
    standfirst = next(s.text for s in transcript.segments.all() if s.text)
    if len(standfirst) > 300:
        standfirst = standfirst[:300].rsplit(" ", 1)[0] + "…"
    story = StoryPage(
        title=title,
        standfirst=standfirst,
        body=[("paragraph", RichText(f"<p>{escape(p)}</p>")) for p in paragraphs],
        primary_format=PrimaryFormat.TEXT,
        live=False,
        owner=user,
    )
    story.bylines = [StoryByline(author=user)]
    if asset.type == "audio":
        story.audio = asset
    else:
        story.video = asset
    section.add_child(instance=story)
    story.save_revision(user=user, log_action=True)
    log(
        instance=transcript,
        action="transcripts.story",
        user=user,
        data={"story": story.pk, "title": title},
    )
    return story
