"""Thin, idempotent tasks: they take a page id and ask the services."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def story_index_update(page_id: int) -> None:
    services.story_index_update(page_id=page_id)


@shared_task(
    ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5
)
def story_index_remove(page_id: int) -> None:
    services.story_index_remove(page_id=page_id)
