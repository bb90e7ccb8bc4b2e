"""Celery tasks of transcripts: thin, taking primary keys."""

import logging

from celery import shared_task

from aiservices.services import TransientProviderError

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    autoretry_for=(TransientProviderError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
)
def transcribe_cut(self, asset_id: int) -> None:
    """Transcribes a cut through the agency's speech-to-text accounts."""
    try:
        services.transcribe(asset_id=asset_id)
    except TransientProviderError:
        if self.request.retries >= self.max_retries:
            logger.error("Transcript of cut %s: giving up after retries", asset_id)
            return  # the transcript stays "failed" with the providers' reasons
        raise


@shared_task(ignore_result=True)
def requeue_transcripts() -> int:
    """Beat: pending transcripts whose job never reached the broker are queued again."""
    return len(services.transcripts_requeue())
