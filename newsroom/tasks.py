import logging

from celery import shared_task
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def publish_scheduled_pages():
    """Wagtail's scheduled publishing (and expiry), run by Celery beat every minute."""
    call_command("publish_scheduled")


@shared_task(
    ignore_result=True,
    autoretry_for=(OSError, RuntimeError),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=8,
)
def refresh_page_cache(host: str, paths: list[str]):
    """Asks nginx for the pages showing changed stories again (newsroom/page_refresh.py):
    every path gathered for the host since the last pass; retried with backoff while an
    nginx cannot be reached (the paths go back to the pending set for the retry)."""
    from .page_refresh import give_back, refresh, take_pending

    paths = take_pending(host, paths)
    if not paths:
        return
    try:
        done = refresh(host, paths)
    except Exception:
        give_back(host, paths)
        raise
    logger.info("Page cache refreshed on %s: %d requests", host, len(done))
