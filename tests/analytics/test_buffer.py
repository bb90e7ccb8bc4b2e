"""The Redis buffer never drops an accepted event when the writer fails or dies."""

import json

import pytest

from analytics import buffer, services
from analytics.models import Event

from .conftest import pageview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_audience")]


@pytest.fixture
def redis_buffer(redis_required, flush):
    return buffer


def test_a_failed_batch_goes_back_on_the_queue(redis_buffer, beacon, story, flush):
    for _ in range(20):
        assert beacon(pageview(story)).status_code == 204
    assert redis_buffer.length() == 20
    good = json.loads(redis_buffer.client().lindex(redis_buffer.keys()[0], 0))
    # A row the writer cannot store (the month 13 does not exist): the whole batch fails.
    poison = {**good, "event_id": "7c1f0f43-0000-4000-8000-000000000000"}
    poison["occurred_at"] = "2025-13-45T00:00:00+00:00"
    redis_buffer.push(json.dumps(poison))
    with pytest.raises(ValueError):
        services.events_flush(batch_size=100)
    assert Event.objects.count() == 0
    assert redis_buffer.length() == 21 and redis_buffer.in_flight() == 0
    # The operator removes the poison row; everything accepted is then written once.
    r = redis_buffer.client()
    for raw in r.lrange(redis_buffer.keys()[0], 0, -1):
        if json.loads(raw)["event_id"] == poison["event_id"]:
            r.lrem(redis_buffer.keys()[0], 1, raw)
    assert services.events_flush(batch_size=7) == 20
    assert Event.objects.count() == 20 and redis_buffer.length() == 0


def test_a_writer_that_died_mid_batch_is_recovered(redis_buffer, beacon, story):
    for _ in range(5):
        beacon(pageview(story))
    key, items = redis_buffer.take(3)  # a writer claims 3 events and dies
    assert len(items) == 3 and redis_buffer.length() == 2 and redis_buffer.in_flight() == 3
    assert redis_buffer.recover_stale(older_than=0) == 3
    assert redis_buffer.length() == 5 and redis_buffer.in_flight() == 0
    assert services.events_flush() == 5
    assert Event.objects.count() == 5
