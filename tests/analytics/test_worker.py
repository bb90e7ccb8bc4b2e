"""A burst of beacon posts against a running server, with the Redis buffer and a real
Celery worker writing the batches: every accepted event ends up in the database once."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from celery.contrib.testing.worker import start_worker

from analytics import buffer, tasks
from analytics.models import Event, Rollup
from config.celery import app
from newsroom.models import StoryPage

from .conftest import BROWSER_UA

POSTS = 600
THREADS = 8


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_burst_loses_no_accepted_event(live_server, demo, redis_required, settings):
    settings.ANALYTICS_BATCH_SIZE = 50
    settings.ANALYTICS_RATE_LIMIT_PER_MINUTE = 100_000
    story = StoryPage.objects.live().order_by("pk").first()
    site_id = story.get_site().pk
    Event.objects.all().delete()
    r = buffer.client()
    r.delete(*buffer.keys())

    def post(i):
        kind = ("pageview", "heartbeat")[i % 2]
        body = {"k": kind, "p": story.pk, "s": site_id}
        if kind == "heartbeat":
            body["sec"] = 15
        request = urllib.request.Request(
            live_server.url + "/a/collect",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "text/plain", "User-Agent": BROWSER_UA},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    broker = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_required
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
            with ThreadPoolExecutor(THREADS) as pool:
                codes = list(pool.map(post, range(POSTS)))
            accepted = codes.count(204)
            assert accepted == POSTS, {c: codes.count(c) for c in set(codes)}
            tasks.events_flush.delay()  # what beat does every few seconds: the remainder
            deadline = time.monotonic() + 60
            while Event.objects.count() < accepted and time.monotonic() < deadline:
                time.sleep(0.3)
            # Let the rollup tasks queued by the last batches finish.
            deadline = time.monotonic() + 30
            while (
                Rollup.objects.filter(dimension="total").count() == 0
                and time.monotonic() < deadline
            ):
                time.sleep(0.3)
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = broker
    assert Event.objects.count() == accepted
    assert Event.objects.values("event_id").distinct().count() == accepted
    assert buffer.length() == 0 and buffer.in_flight() == 0
    assert Event.objects.filter(kind="heartbeat").count() == POSTS // 2
