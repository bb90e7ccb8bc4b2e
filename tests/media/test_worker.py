"""The pipeline on a real Celery worker and Redis: a corrupt upload fails once (no retry
loop), the worker stays up and processes the next asset."""

import os
import time

import pytest
from django.core.files.base import ContentFile

from newsroom.models import MediaAsset, ProcessingStatus

from .conftest import read


@pytest.fixture
def celery_worker_on_redis(settings):
    """A real worker thread on Redis: REDIS_URL (CI), else a Redis on this machine."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"The worker test needs Redis; none answers at {url} ({exc}). Set REDIS_URL.")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _forget_connections(app)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def _forget_connections(app):
    # Celery caches its producer pool on first use; without REDIS_URL that pool points at
    # the in-memory broker of the settings, so drop it to let `delay` reach this Redis.
    app._pool = None
    app.amqp._producer_pool = None


def _wait(pk, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        asset = MediaAsset.objects.get(pk=pk)
        if asset.processing_status in (ProcessingStatus.READY, ProcessingStatus.FAILED):
            return asset
        time.sleep(0.2)
    raise AssertionError(f"asset {pk} still {asset.processing_status} after {timeout}s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_survives_corrupt_upload_and_processes_next(
    migration_seed, celery_worker_on_redis, media_sources
):
    corrupt = MediaAsset(title="Hỏng", type="audio")
    corrupt.file.save("corrupt.mp3", ContentFile(b"\x00garbage" * 500), save=False)
    corrupt.save()
    good = MediaAsset(title="Tốt", type="audio")
    good.file.save("tone.wav", ContentFile(read(media_sources["tone"])), save=False)
    good.save()
    corrupt = _wait(corrupt.pk)
    good = _wait(good.pk)
    assert corrupt.processing_status == ProcessingStatus.FAILED
    assert corrupt.processing_error
    assert good.processing_status == ProcessingStatus.READY, good.processing_error
    assert good.renditions.count() == 2
