"""Celery tasks of the media pipeline: thin, idempotent, taking primary keys."""

import logging

from celery import shared_task
from django.conf import settings

from .media import services
from .media.errors import TransientMediaError

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    ignore_result=True,
    # Rerunning is safe: a reprocess replaces the renditions as a whole.
    acks_late=True,
    # Only named transient errors retry; a corrupt file fails once, for good.
    autoretry_for=(TransientMediaError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.HOITU_MEDIA_TASK_TIME_LIMIT,
    time_limit=settings.HOITU_MEDIA_TASK_TIME_LIMIT + 60,
)
def process_media_asset(self, asset_id: int) -> None:
    """Probes an uploaded audio/video original and writes its renditions. A file that kills
    the worker process every time (the broker gives the job back after each death) is
    failed after HOITU_MEDIA_MAX_CRASHES starts that never ended, instead of holding the
    media queue for ever."""
    if not services.media_job_start(asset_id=asset_id):
        return
    try:
        services.media_asset_process(asset_id=asset_id)
    except TransientMediaError:
        if self.request.retries >= self.max_retries:
            logger.error("Media asset %s: giving up after %s retries", asset_id, self.max_retries)
            services.media_asset_fail(
                asset_id=asset_id,
                reason="Kho lưu trữ hoặc cơ sở dữ liệu tạm thời không sẵn sàng; hãy thử lại sau.",
            )
            return
        raise
    finally:
        services.media_job_end(asset_id=asset_id)


@shared_task(ignore_result=True)
def requeue_media_assets() -> int:
    """Beat: pending assets whose job never reached the broker are queued again."""
    return len(services.media_assets_requeue())
