"""Thin, idempotent tasks: they take a page id and ask the services."""

from celery import shared_task
from django.db import OperationalError
from elasticsearch import TransportError

from . import services

# A database hiccup or an Elasticsearch cluster that cannot be reached: the tasks are
# idempotent, so they are tried again rather than leaving the index behind until a rebuild.
RETRY_ON = (OperationalError, TransportError)


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def story_index_update(page_id: int) -> None:
    services.story_index_update(page_id=page_id)


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def story_index_remove(page_id: int) -> None:
    services.story_index_remove(page_id=page_id)
