"""Celery tasks: thin, idempotent, taking primary keys."""

import logging

import requests
from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> None:
    from .services import delivery_process

    delivery_process(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep_deliveries() -> None:
    from .services import deliveries_sweep

    deliveries_sweep()


@shared_task(ignore_result=True)
def maintain_zalo_tokens() -> None:
    """Beat: Zalo token pairs refreshed ahead of expiry; administrators warned."""
    from .services import zalo_tokens_maintain

    zalo_tokens_maintain()


@shared_task(
    ignore_result=True, autoretry_for=(requests.RequestException,), retry_backoff=30, max_retries=5
)
def websub_ping(story_id: int) -> None:
    """Tells the WebSub hub that the outlet's feeds changed (hub.mode=publish)."""
    from newsroom.models import StoryPage

    from .services import story_websub_urls

    hub = settings.DISTRIBUTION_WEBSUB_HUB
    story = StoryPage.objects.filter(pk=story_id).first()
    if not hub or story is None:
        return
    for url in story_websub_urls(story):
        response = requests.post(
            hub,
            data={"hub.mode": "publish", "hub.url": url},
            timeout=settings.DISTRIBUTION_HTTP_TIMEOUT,
        )
        if response.status_code >= 500:
            response.raise_for_status()
        if response.status_code >= 400:
            logger.warning("WebSub hub refused %s: HTTP %s", url, response.status_code)
