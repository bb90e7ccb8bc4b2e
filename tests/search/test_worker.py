"""The index follows publishing through a real Celery worker on Redis, after commit."""

import os
import time

import pytest

from newsroom.models import SectionPage, StoryPage
from search.models import StoryIndex


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_indexes_published_story_and_drops_unpublished(demo):
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        pytest.fail(f"This test needs Redis for a real Celery worker; {url} answered: {exc}")
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    _reset_producer_pool(app)  # without REDIS_URL the app was set up on memory://
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
            section = SectionPage.objects.get(slug="thoi-su", url_path__startswith="/baothanhhoa/")
            story = StoryPage(
                title="Làng nghề Chiếuhới giữ nghề truyền thống",
                slug="lang-nghe-worker-test",
                standfirst="Người dân giữ nghề dệt chiếu.",
                body=[("paragraph", "<p>Nghề dệt chiếu có từ lâu đời.</p>")],
            )
            section.add_child(instance=story)
            story.save_revision().publish()  # autocommit: on_commit fires at once
            assert _wait_for(lambda: StoryIndex.objects.filter(page_id=story.pk).exists())
            StoryPage.objects.get(pk=story.pk).unpublish()
            assert _wait_for(lambda: not StoryIndex.objects.filter(page_id=story.pk).exists())
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_producer_pool(app)


def _reset_producer_pool(app):
    # Celery caches its broker connection pool on first use; drop it so the next publish
    # connects to the broker configured now.
    app._pool = None
    app.amqp._producer_pool = None
