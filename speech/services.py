"""Making, reusing and retiring a story's listenable version (docs/speech.md).

`story_audio_request` is called when a story is published (and by "Làm lại"): it decides
whether the story may have audio at all, reuses the files when the spoken text did not
change, and otherwise queues `speech.tasks.make_story_audio` after the commit. The task
calls `story_audio_make`: the agency's TTS accounts in priority order (only when the text
may leave: `aiservices.services.may_send`), then the offline espeak-ng voice; the chunks
are joined and loudness-normalised by the media pipeline's ffmpeg recipe into MP3 and
AAC, stored through Django's storage and swapped in. Nothing here ever writes to the
story: a failure leaves the story as it is, with the reason on the audio row."""

import datetime
import logging
import os
import secrets
import tempfile
from functools import partial

import ffmpeg
from celery.exceptions import Retry
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from aiservices import services as ai
from aiservices.models import Capability, Provider
from newsroom.media.errors import MediaRejected
from newsroom.media.probe import ProbeResult, probe_file
from newsroom.media.renditions import _run, make_audio
from newsroom.media.services import MEDIA_QUEUE, queue_when_idle
from newsroom.models import PrimaryFormat, StoryPage
from newsroom.services import outlet_for_page
from paywall.gating import is_free

from .adapters import EspeakTTS, OfflineUnavailable, for_account
from .models import ListenState, StoryAudio
from .text import chunks, story_text, text_hash

logger = logging.getLogger(__name__)

# Radio and TV stories carry their own cut; a reading of their script would compete with it.
SKIPPED_FORMATS = {PrimaryFormat.RADIO, PrimaryFormat.TV}
JOIN_RATE = 24000


class SpeechFailed(Exception):
    """No engine could read the story; `reason` is Vietnamese, for the newsroom."""

    def __init__(self, reason: str, *, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def story_agency(story):
    outlet = outlet_for_page(story)
    return outlet.agency if outlet else None


def refusal(story, agency) -> str:
    """Why the story gets no audio ("" when it may have one)."""
    if agency is None:
        return "Bài không thuộc trang của cơ quan nào."
    if story.primary_format in SKIPPED_FORMATS:
        return "Bài phát thanh/truyền hình đã có bản âm thanh/video riêng."
    if not is_free(story) and not ai.policy(agency).listen_to_paid:
        return (
            "Bài thu phí: cơ quan chưa bật “Làm bản nghe cho bài thu phí” "
            "(Dịch vụ AI → Chính sách dịch vụ AI)."
        )
    return ""


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # a file left behind is harmless; a crash here is not
            logger.exception("Could not delete listen audio file %s", name)


def _retire(row: StoryAudio, *, state: str, reason: str) -> None:
    old = row.file_names()
    row.mp3 = row.aac = ""
    row.state = state
    row.reason = reason
    row.duration = 0
    row.text_hash = ""
    row.generation += 1  # a job still running for the old text is thrown away
    row.save()
    if old:
        transaction.on_commit(partial(_delete_files, old))


@transaction.atomic
def story_audio_request(story, *, revision=None, force: bool = False) -> StoryAudio:
    """After a publish (or "Làm lại"): reuse, queue or refuse the story's audio."""
    row, _ = StoryAudio.objects.select_for_update().get_or_create(story_id=story.pk)
    agency = story_agency(story)
    reason = refusal(story, agency)
    if reason:
        _retire(row, state=ListenState.SKIPPED, reason=reason)
        return row
    paid = not is_free(story)
    digest = text_hash(story_text(story), paid=paid)
    if revision is not None:
        row.revision = revision
    if (
        not force
        and row.text_hash == digest
        and row.state
        in (
            ListenState.READY,
            ListenState.PENDING,
        )
    ):
        row.save(update_fields=["revision"])
        return row  # same text: the audio made (or being made) for it stands
    row.state = ListenState.PENDING
    row.reason = ""
    row.text_hash = digest
    row.paid = paid
    row.generation += 1
    row.requested_at = timezone.now()
    row.save()
    transaction.on_commit(partial(_enqueue, story.pk, row.generation))
    return row


def _enqueue(story_id: int, generation: int) -> None:
    from .tasks import make_story_audio

    try:
        make_story_audio.delay(story_id, generation)
    except Retry:  # eager Celery (tests, `make run`): the retry is the worker's; row pending
        logger.warning("Listen audio of story %s waits for a retry", story_id)
    except Exception:  # broker away: the row stays pending; "Làm lại" queues it again
        logger.exception("Could not queue listen audio of story %s", story_id)


def story_audio_requeue(*, limit: int = 200) -> list[int]:
    """Beat: audio requests still pending long after they were made (longer than the
    task's retries take: HOITU_SPEECH_REQUEUE_AFTER) whose job never reached the broker
    are queued again, when the media queue is idle. Returns the story ids."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.HOITU_SPEECH_REQUEUE_AFTER)
    rows = dict(
        StoryAudio.objects.filter(state=ListenState.PENDING, requested_at__lt=cutoff)
        .order_by("requested_at")
        .values_list("story_id", "generation")[:limit]
    )
    sent = queue_when_idle(MEDIA_QUEUE, list(rows), lambda pk: _enqueue(pk, rows[pk]))
    if sent:
        logger.warning("Listen audio of stories %s was pending with no job: queued again", sent)
    return sent


@transaction.atomic
def story_audio_retire(story_id: int, *, reason: str) -> None:
    """Unpublished (or taken down): the audio stops being served and its files go."""
    row = StoryAudio.objects.select_for_update().filter(story_id=story_id).first()
    if row is not None:
        _retire(row, state=ListenState.RETIRED, reason=reason)


# --- Making the audio -------------------------------------------------------------------


def _engines(agency, *, paid: bool) -> tuple[list, list[str]]:
    """[(provider, engine)] in the order to try, and notes on what was left out."""
    engines, notes = [], []
    accounts = ai.accounts(agency, Capability.TTS)
    if accounts and not ai.may_send(agency, paid=paid):
        notes.append("Bài thu phí không được gửi tới nhà cung cấp bên ngoài (chính sách cơ quan).")
    elif accounts:
        engines += [(account.provider, for_account(account)) for account in accounts]
    else:
        notes.append("Chưa cấu hình dịch vụ chuyển văn bản thành giọng nói.")
    if settings.HOITU_SPEECH_OFFLINE:
        engines.append((Provider.OFFLINE.value, EspeakTTS()))
    return engines, notes


def _why(provider: str, exc: Exception) -> str:
    """A provider's failure, in Vietnamese, for the newsroom."""
    label = dict(Provider.choices).get(provider, provider)
    text = str(exc)
    if isinstance(exc, OfflineUnavailable):
        return f"{label}: máy chủ chưa cài espeak-ng"
    if "HTTP 401" in text or "HTTP 403" in text:
        what = "khóa API bị từ chối"
    elif "HTTP 429" in text:
        what = "vượt giới hạn số lần gọi, thử lại sau"
    elif "timed out" in text or "not ready" in text:
        what = "không trả lời kịp"
    elif "connection failed" in text:
        what = "không kết nối được"
    elif "HTTP 5" in text:
        what = "máy chủ của nhà cung cấp gặp lỗi"
    elif "không phải âm thanh" in text:
        what = "trả về tệp không phải âm thanh"
    else:
        what = "từ chối yêu cầu"
    return f"{label}: {what}"


def _check_audio(path: str) -> None:
    try:
        probe_file(path, media_type="audio")
    except MediaRejected as exc:
        raise ai.PermanentProviderError(f"không phải âm thanh: {exc.detail}") from exc


def synthesise(agency, story, text: str, *, paid: bool, tmp: str) -> tuple[str, list[str], list]:
    """(provider, chunk files, notes): the first engine that reads every chunk."""
    engines, notes = _engines(agency, paid=paid)
    if not engines:
        raise SpeechFailed(
            " ".join(notes) or "Chưa cấu hình dịch vụ chuyển văn bản thành giọng nói."
        )
    failures, transient = [], False
    for provider, engine in engines:
        try:
            with ai.track(agency, provider, Capability.TTS, subject=f"trang {story.pk}") as call:
                paths = []
                for index, piece in enumerate(chunks(text, engine.limit)):
                    path = os.path.join(tmp, f"{provider}-{index:03d}{engine.suffix}")
                    engine.synthesise(piece, path)
                    _check_audio(path)
                    call.units += len(piece)
                    paths.append(path)
            return provider, paths, notes + failures
        except ai.ProviderError as exc:
            failures.append(_why(provider, exc))
            transient = transient or isinstance(exc, ai.TransientProviderError)
    raise SpeechFailed("; ".join(notes + failures) + ".", transient=transient)


def render(paths: list[str], out_dir: str) -> dict:
    """Joins the chunks and writes loudness-normalised MP3 and AAC (the media pipeline's
    two-pass EBU R128 recipe): {"mp3": path, "aac": path, "duration": seconds}."""
    joined = os.path.join(out_dir, "joined.wav")
    streams = [
        ffmpeg.input(p)
        .audio.filter("aresample", JOIN_RATE)
        .filter("aformat", channel_layouts="mono")
        for p in paths
    ]
    stream = ffmpeg.concat(*streams, v=0, a=1) if len(streams) > 1 else streams[0]
    _run(ffmpeg.output(stream, joined, acodec="pcm_s16le", ac=1, ar=JOIN_RATE).overwrite_output())
    probe = ProbeResult(duration=0, size=0, format_name="wav", audio={"channels": 1})
    found = {o.kind: os.path.join(out_dir, o.path) for o in make_audio(joined, out_dir, probe)}
    duration = probe_file(found["audio_mp3"], media_type="audio").duration
    return {"mp3": found["audio_mp3"], "aac": found["audio_aac"], "duration": duration}


def _store(story_id: int, path: str, suffix: str) -> str:
    # Not guessable: a paid story's file is never at a predictable address.
    name = f"speech/{story_id}/{secrets.token_urlsafe(18)}{suffix}"
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle))


def _pending(story_id: int, generation: int) -> StoryAudio | None:
    row = StoryAudio.objects.filter(story_id=story_id).first()
    if row is None or row.generation != generation or row.state != ListenState.PENDING:
        return None
    return row


def story_audio_make(*, story_id: int, generation: int) -> str:
    """The job: "ready", "stale" (a newer request or a retirement superseded it) or
    "retired" (the story is no longer published). Raises SpeechFailed."""
    row = _pending(story_id, generation)
    if row is None:
        return "stale"
    story = StoryPage.objects.live().filter(pk=story_id).first()
    if story is None:
        story_audio_retire(story_id, reason="Bài không còn được đăng.")
        return "retired"
    agency = story_agency(story)
    paid = not is_free(story)
    text = story_text(story)
    if text_hash(text, paid=paid) != row.text_hash:
        return "stale"  # published again meanwhile: that publish queued its own job
    with tempfile.TemporaryDirectory(prefix="hoitu-speech-") as tmp:
        provider, paths, notes = synthesise(agency, story, text, paid=paid, tmp=tmp)
        try:
            out = render(paths, tmp)
        except (ffmpeg.Error, MediaRejected) as exc:
            logger.error("Listen audio of story %s: ffmpeg failed: %s", story_id, exc)
            raise SpeechFailed("Không ghép và chuẩn hóa được âm thanh (ffmpeg lỗi).") from exc
        except FileNotFoundError as exc:
            raise SpeechFailed("Máy chủ chưa cài ffmpeg.") from exc
        names = [_store(story_id, out["mp3"], ".mp3"), _store(story_id, out["aac"], ".m4a")]
    with transaction.atomic():
        row = StoryAudio.objects.select_for_update().get(pk=row.pk)
        if row.generation != generation or row.state != ListenState.PENDING:
            transaction.on_commit(partial(_delete_files, names))
            return "stale"
        old = row.file_names()
        row.mp3, row.aac = names
        row.state = ListenState.READY
        row.provider = provider
        row.duration = out["duration"]
        row.characters = len(text)
        row.made_at = timezone.now()
        row.reason = " ".join(f"{n.rstrip('.')}." for n in notes)
        row.save()
        transaction.on_commit(partial(_delete_files, [n for n in old if n not in names]))
    logger.info("Listen audio of story %s ready (%s, %.1f s)", story_id, provider, out["duration"])
    return "ready"


def story_audio_note(*, story_id: int, generation: int, reason: str) -> None:
    """A reason on a job that is still pending (waiting to be retried)."""
    StoryAudio.objects.filter(
        story_id=story_id, generation=generation, state=ListenState.PENDING
    ).update(reason=reason)


def story_audio_fail(*, story_id: int, generation: int, reason: str) -> None:
    """The job gave up: the row says why; the story is untouched."""
    with transaction.atomic():
        row = StoryAudio.objects.select_for_update().filter(story_id=story_id).first()
        if row is None or row.generation != generation or row.state != ListenState.PENDING:
            return
        row.state = ListenState.FAILED
        row.reason = reason
        row.save(update_fields=["state", "reason"])


def delete_files_later(names) -> None:
    transaction.on_commit(partial(_delete_files, list(names)))
