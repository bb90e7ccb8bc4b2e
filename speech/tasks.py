"""Celery task of "Nghe bài viết": thin, idempotent, taking primary keys."""

import logging

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)

GAVE_UP = "Nhà cung cấp tạm thời không trả lời sau nhiều lần thử: {reason} Hãy bấm “Làm lại” sau."
RETRYING = "Đang chờ thử lại: {reason}"
UNEXPECTED = "Lỗi không mong đợi khi làm bản nghe (đã ghi nhật ký); hãy bấm “Làm lại”."


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=settings.HOITU_SPEECH_TASK_TIME_LIMIT,
    time_limit=settings.HOITU_SPEECH_TASK_TIME_LIMIT + 60,
)
def make_story_audio(self, story_id: int, generation: int) -> None:
    """Makes the audio of the story's published text (a job for an older generation of the
    request does nothing). Never touches the story; a failure is written on the audio row."""
    try:
        services.story_audio_make(story_id=story_id, generation=generation)
    except services.SpeechFailed as exc:
        retries = self.request.retries or 0
        if exc.transient and retries < self.max_retries:
            logger.warning("Listen audio of story %s: retrying: %s", story_id, exc.reason)
            services.story_audio_note(
                story_id=story_id, generation=generation, reason=RETRYING.format(reason=exc.reason)
            )
            # Backoff: 1, 2, 4, 8, 16 minutes (at most 30).
            raise self.retry(exc=exc, countdown=min(1800, 60 * 2**retries)) from exc
        reason = GAVE_UP.format(reason=exc.reason) if exc.transient else exc.reason
        services.story_audio_fail(story_id=story_id, generation=generation, reason=reason)
    except Exception:
        logger.exception("Listen audio of story %s failed unexpectedly", story_id)
        services.story_audio_fail(story_id=story_id, generation=generation, reason=UNEXPECTED)


@shared_task(ignore_result=True)
def requeue_story_audio() -> int:
    """Beat: pending audio whose job never reached the broker is queued again."""
    return len(services.story_audio_requeue())
