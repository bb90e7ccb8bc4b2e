"""Fault injection with a real Celery worker on Redis: the Zalo fake fails a third of the
calls at random (500, 429, timeouts, garbage), and still every story ends up on the
platform exactly once."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from distribution.models import Delivery, DeliveryState
from newsroom.models import StoryPage

from .conftest import agency_stories, make_zalo_platform
from .fakes import ZaloFake

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STORIES = 12


@pytest.fixture
def celery_worker(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL is not set: this test needs a Celery worker on Redis.")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        app.control.purge()
        with start_worker(
            app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_always_eager = True


def test_every_story_delivered_exactly_once_despite_random_faults(demo, settings, celery_worker):
    settings.DISTRIBUTION_HTTP_TIMEOUT = 0.5
    settings.DISTRIBUTION_ZALO_VERIFY_INTERVAL = 0.05
    settings.DISTRIBUTION_ZALO_VERIFY_POLLS = 3
    settings.DISTRIBUTION_RETRY_BASE_SECONDS = 0.2
    settings.DISTRIBUTION_RETRY_MAX_SECONDS = 2
    settings.DISTRIBUTION_MAX_ATTEMPTS = 30
    agency = demo.Agency.objects.get(slug="baothanhhoa")
    with ZaloFake(fail_rate=1 / 3, seed=None, polls_before_ready=1) as fake:
        fake.timeout_sleep = 0.8
        platform = make_zalo_platform(agency, fake)
        stories = list(agency_stories(agency)[:STORIES])
        for story in stories:
            story.save_revision().publish()  # autocommit: on_commit queues to Redis at once
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            open_count = Delivery.objects.filter(
                platform=platform,
                state__in=[DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.RETRYING],
            ).count()
            if open_count == 0:
                break
            time.sleep(0.3)
        deliveries = list(Delivery.objects.filter(platform=platform))
        states = {d.state for d in deliveries}
        assert states == {DeliveryState.DELIVERED}, [
            (d.story_id, d.state, d.last_error) for d in deliveries if d.state != "delivered"
        ]
        assert len(deliveries) == STORIES
        faults = sum(1 for d in deliveries if d.attempts > 1)
        assert faults, "the fake injected no fault at all: the test proved nothing"
        # exactly one article per story on the platform
        links = sorted(a["tracking_link"] for a in fake.articles.values())
        assert links == sorted(StoryPage.objects.get(pk=s.pk).get_full_url() for s in stories)
        assert {d.remote_id for d in deliveries} == set(fake.articles)
