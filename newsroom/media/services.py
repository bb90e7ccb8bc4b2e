"""Writes of the media pipeline: queue, process, fail, retry. Tasks and admin views are
thin callers of these."""

import contextlib
import errno
import logging
import os
import shutil
import tempfile
import uuid

import ffmpeg
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from ..models.media import MediaAsset, MediaRendition, ProcessingStatus
from .errors import MediaRejected, TransientMediaError
from .probe import probe_file
from .renditions import make_renditions

logger = logging.getLogger(__name__)

# Errors worth a retry: the database or the object storage was away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
AUTO_THUMBNAIL_PREFIX = "media_thumbnails/auto-"
# The Celery queue of transcoding jobs (CELERY_TASK_ROUTES), taken by hoitu-worker-media.
MEDIA_QUEUE = "media"


def media_asset_queue(*, asset_id: int) -> None:
    """Marks the asset pending and queues its processing after the current transaction
    commits (the worker must see the saved file)."""
    from ..media_tasks import process_media_asset

    MediaAsset.objects.filter(pk=asset_id).update(
        processing_status=ProcessingStatus.PENDING, processing_error=""
    )

    def send():
        try:
            process_media_asset.delay(asset_id)
        except Exception:  # broker down: the asset stays pending, media_assets_requeue sends it
            logger.exception("Could not queue media asset %s; the media sweep will", asset_id)

    transaction.on_commit(send)


def queue_when_idle(queue: str, ids: list, send) -> list:
    """Beat's safety net for jobs whose message never reached the broker (the broker was
    away at commit): `send(pk)` for each of `ids`, but only when `queue` holds no waiting
    message, so a job still waiting in it (a backlog) is never queued twice. The callers
    pick rows old enough not to be in a worker's hands; a duplicate that slips through
    finds its row done and does nothing. Returns the ids sent."""
    from config.metrics import queue_depths

    if not ids or queue_depths([queue])[queue]:
        return []
    for pk in ids:
        send(pk)
    return ids


def media_assets_requeue(*, limit: int = 200) -> list[int]:
    """Beat: queues again the pending assets whose message never reached the broker (an
    upload during a broker outage). Returns the ids queued."""
    from ..media_tasks import process_media_asset

    pending = list(
        MediaAsset.objects.filter(processing_status=ProcessingStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = queue_when_idle(MEDIA_QUEUE, pending, process_media_asset.delay)
    if sent:
        logger.warning("Media assets %s were pending with no queued job: queued again", sent)
    return sent


def media_asset_file_saved(*, asset: MediaAsset) -> bool:
    """Called after every save of an asset: a new or replaced original queues processing.
    Returns whether it did."""
    name = asset.file.name if asset.file else ""
    if not name or name == asset.source_name:
        return False
    MediaAsset.objects.filter(pk=asset.pk).update(source_name=name)
    asset.source_name = name
    media_asset_queue(asset_id=asset.pk)
    return True


def media_asset_retry(*, asset: MediaAsset, user=None) -> None:
    """A failed (or stuck) job, run again from the admin."""
    logger.info("Media asset %s: reprocessing requested by %s", asset.pk, user)
    media_job_end(asset_id=asset.pk)  # a person asked: the crash count starts again
    media_asset_queue(asset_id=asset.pk)


CRASHED = (
    "Xử lý tệp này làm máy xử lý dừng đột ngột {n} lần (tệp hỏng hoặc quá nặng). "
    "Hãy kiểm tra hoặc xuất lại tệp rồi tải lên lại, hoặc bấm “Xử lý lại”."
)


def _job_key(asset_id: int) -> str:
    return f"media:job-starts:{asset_id}"


def media_job_start(*, asset_id: int) -> bool:
    """Counts a start of the asset's job; a count left by starts that never reached
    media_job_end means the worker process died in them (killed by the kernel on a file
    that eats the memory, a crash in ffmpeg's bindings). Past HOITU_MEDIA_MAX_CRASHES the
    asset is failed with a reason and False is returned: the job is not run again."""
    key = _job_key(asset_id)
    cache.add(key, 0, settings.HOITU_MEDIA_TASK_TIME_LIMIT * 4)
    try:
        starts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, settings.HOITU_MEDIA_TASK_TIME_LIMIT * 4)
        starts = 1
    crashes = starts - 1
    if crashes >= settings.HOITU_MEDIA_MAX_CRASHES:
        logger.error("Media asset %s: its job died %s times; failed for good", asset_id, crashes)
        media_asset_fail(asset_id=asset_id, reason=CRASHED.format(n=crashes))
        cache.delete(key)
        return False
    if crashes:
        logger.warning(
            "Media asset %s: its job died %s time(s) before; trying again", asset_id, crashes
        )
    return True


def media_job_end(*, asset_id: int) -> None:
    """The job ended in this process (done, failed or handed to a retry): not a crash."""
    cache.delete(_job_key(asset_id))


def media_asset_fail(*, asset_id: int, reason: str) -> None:
    MediaAsset.objects.filter(pk=asset_id).update(
        processing_status=ProcessingStatus.FAILED, processing_error=reason
    )


@contextlib.contextmanager
def _local_original(asset: MediaAsset):
    """A local path to the original, read-only; a temporary copy when the storage is
    remote (S3)."""
    if not asset.file.storage.exists(asset.file.name):
        raise MediaRejected("Không tìm thấy tệp gốc trong kho lưu trữ.", "original missing")
    # Only the storage's own answer decides: an error of the caller's block must reach the
    # caller, not be taken for "no local path" (the generator cannot yield twice).
    try:
        path = asset.file.path
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = os.path.splitext(asset.file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with asset.file.storage.open(asset.file.name, "rb") as src:
            shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield tmp.name


def _store(asset_id: int, out_dir: str, outputs) -> tuple[list[MediaRendition], list[str]]:
    """Copies outputs to the storage under a fresh generation folder, so a reprocess never
    writes over files that readers are playing."""
    generation = uuid.uuid4().hex[:10]
    prefix = f"media_renditions/{asset_id}/{generation}"
    stored, renditions = [], []
    try:
        for output in outputs:
            names = []
            for rel in output.files:
                with open(os.path.join(out_dir, rel), "rb") as fh:
                    names.append(default_storage.save(f"{prefix}/{rel}", File(fh)))
            stored += names
            main = names[output.files.index(output.path)]
            renditions.append(
                MediaRendition(
                    asset_id=asset_id,
                    kind=output.kind,
                    file=main,
                    files=names,
                    mime_type=output.mime_type,
                    size=sum(os.path.getsize(os.path.join(out_dir, r)) for r in output.files),
                    duration=output.duration,
                    width=output.width,
                    height=output.height,
                    bitrate=output.bitrate,
                    codecs=output.codecs,
                )
            )
    except BaseException:
        _delete_files(stored)
        raise
    return renditions, stored


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # a leftover file is harmless; a crash here is not
            logger.warning("Could not delete %s", name, exc_info=True)


def _process(asset: MediaAsset):
    with _local_original(asset) as path, tempfile.TemporaryDirectory() as out_dir:
        probe = probe_file(path, media_type=asset.type)
        try:
            outputs = make_renditions(path, out_dir, probe, media_type=asset.type)
        except ffmpeg.Error as exc:
            tail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
            raise MediaRejected(
                "Chuyển mã thất bại: tệp có thể bị hỏng hoặc dùng định dạng không hỗ trợ.",
                "ffmpeg failed: " + " | ".join(tail),
            ) from exc
        for output in outputs:
            if output.kind == "hls":
                output.duration = probe.duration
        renditions, stored = _store(asset.pk, out_dir, outputs)
    return probe, renditions, stored


def media_asset_process(*, asset_id: int) -> str:
    """Probes an asset's original and replaces its renditions. Returns the outcome:
    "ready", "failed", "stale" (the original changed meanwhile), "missing" or "done" (a
    redelivered job of an asset already processed).
    Raises TransientMediaError when a retry may succeed."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        return "missing"
    if asset.processing_status in (ProcessingStatus.READY, ProcessingStatus.FAILED):
        # A message delivered again after its job finished (a worker that lost its broker
        # connection before the acknowledgement, a sweep racing an upload): a new
        # original or a retry from the admin marks the asset pending first.
        logger.info("Media asset %s already %s: nothing to do", asset_id, asset.processing_status)
        return "done"
    if not asset.file:
        media_asset_fail(asset_id=asset_id, reason="Chưa có tệp gốc.")
        return "failed"
    source = asset.file.name
    MediaAsset.objects.filter(pk=asset_id).update(
        processing_status=ProcessingStatus.PROCESSING, processing_error=""
    )
    try:
        probe, renditions, stored = _process(asset)
    except MediaRejected as exc:
        logger.warning("Media asset %s rejected: %s", asset_id, exc.detail or exc.reason)
        media_asset_fail(asset_id=asset_id, reason=exc.reason)
        return "failed"
    except TRANSIENT_ERRORS as exc:
        logger.warning("Media asset %s: transient error %r, will retry", asset_id, exc)
        raise TransientMediaError(str(exc)) from exc
    except FileNotFoundError as exc:
        if exc.filename in (settings.HOITU_MEDIA_FFMPEG, settings.HOITU_MEDIA_FFPROBE):
            # A set-up fault, not the file's: say so, so staff retry once it is fixed.
            logger.error("Media asset %s: %s is not installed", asset_id, exc.filename)
            media_asset_fail(
                asset_id=asset_id,
                reason="Máy chủ chưa cài ffmpeg; báo quản trị rồi bấm «Thử xử lý lại».",
            )
            return "failed"
        logger.exception("Media asset %s: file not found", asset_id)
        media_asset_fail(asset_id=asset_id, reason="Không tìm thấy tệp khi xử lý.")
        return "failed"
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise TransientMediaError("no space left") from exc
        logger.exception("Media asset %s: I/O error", asset_id)
        media_asset_fail(asset_id=asset_id, reason=f"Lỗi đọc/ghi tệp: {exc.strerror or exc}.")
        return "failed"
    except Exception:
        # A bug or an unforeseen ffmpeg state must not crash the worker nor loop.
        logger.exception("Media asset %s: processing failed", asset_id)
        media_asset_fail(
            asset_id=asset_id, reason="Lỗi hệ thống khi xử lý tệp; đã ghi nhật ký để kiểm tra."
        )
        return "failed"
    try:
        return _swap(asset_id, source, probe, renditions, stored)
    except TRANSIENT_ERRORS as exc:
        raise TransientMediaError(str(exc)) from exc


def _swap(asset_id, source, probe, renditions, stored) -> str:
    """Replaces the asset's renditions in one transaction; the files they pointed to are
    deleted only after it commits."""
    try:
        with transaction.atomic():
            asset = MediaAsset.objects.select_for_update().filter(pk=asset_id).first()
            if asset is None or asset.file.name != source:
                transaction.on_commit(lambda: _delete_files(stored))
                return "stale" if asset else "missing"
            # The old renditions' files go with their rows (post_delete, after commit).
            old_files = []
            asset.renditions.all().delete()
            MediaRendition.objects.bulk_create(renditions)
            updates = {
                "processing_status": ProcessingStatus.READY,
                "processing_error": "",
                "probe": probe.as_json(),
                "duration": round(probe.duration, 3),
                "width": probe.width,
                "height": probe.height,
                "processed_at": timezone.now(),
            }
            poster = next((r for r in renditions if r.kind == "poster"), None)
            thumb = asset.thumbnail.name if asset.thumbnail else ""
            if poster and (not thumb or thumb.startswith(AUTO_THUMBNAIL_PREFIX)):
                with default_storage.open(poster.file.name, "rb") as fh:
                    updates["thumbnail"] = default_storage.save(
                        f"{AUTO_THUMBNAIL_PREFIX}{asset_id}.jpg", File(fh)
                    )
                if thumb:
                    old_files.append(thumb)
            MediaAsset.objects.filter(pk=asset_id).update(**updates)
            transaction.on_commit(lambda: _delete_files(old_files))
    except BaseException:
        _delete_files(stored)
        raise
    logger.info("Media asset %s ready: %s renditions", asset_id, len(renditions))
    _announce_ready(asset_id)
    return "ready"


def _announce_ready(asset_id: int) -> None:
    """Tells the apps that follow cuts (newsroom.events.media_ready); a follower's fault
    never turns a finished cut into a failed one."""
    from ..events import media_ready

    def send():
        for receiver, result in media_ready.send_robust(sender=MediaAsset, asset_id=asset_id):
            if isinstance(result, Exception):
                logger.error(
                    "Media asset %s: %s failed on ready", asset_id, receiver, exc_info=result
                )

    transaction.on_commit(send)
