"""The pipeline on a real Celery worker and Redis: a corrupt upload fails once (no retry
loop), the worker stays up and processes the next asset."""

import time

import pytest
from django.core.files.base import ContentFile

from newsroom.models import MediaAsset, ProcessingStatus
from tests.support import running_worker

from .conftest import read


@pytest.fixture
def celery_worker_on_redis(settings):
    """A real worker thread on Redis: REDIS_URL (CI), else a Redis on this machine."""
    from config.celery import app

    with running_worker(settings, pool="solo"):
        yield app


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
