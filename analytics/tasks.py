"""Thin, idempotent tasks: each calls one service."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def events_flush() -> int:
    return services.events_flush()


@shared_task(ignore_result=True)
def rollups_refresh() -> int:
    return services.rollups_refresh()


@shared_task(ignore_result=True)
def salts_purge() -> int:
    return services.salts_purge()
