"""Fixtures of the analytics tests: a live demo story, a beacon poster, a flush that
works with the Redis buffer (CI) and without it (SQLite, `make run`)."""

import itertools
import json

import pytest
from django.conf import settings

from newsroom.models import StoryPage

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """The beacon caches which pages are live outside the database: a test that unpublishes
    a story inside its rolled-back transaction must not leave that page unknown."""
    from django.core.cache import cache

    from analytics import collect

    collect._memo.clear()
    yield
    collect._memo.clear()
    cache.delete_many([collect.page_key(pk) for pk in range(1, 2000)])


@pytest.fixture
def no_demo_audience(db):
    """The demo seeds audience; counting tests start from none (rolled back after)."""
    from analytics.models import Event, PendingRollup, Rollup

    Event.objects.all().delete()
    PendingRollup.objects.all().delete()
    Rollup.objects.all().delete()


@pytest.fixture
def story(demo):
    return StoryPage.objects.live().filter(bylines__isnull=False).order_by("pk").first()


@pytest.fixture
def address():
    """A fresh client address per test: the flood limit counts per address."""
    n = next(_addresses)
    return f"203.0.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def beacon(client, address):
    def post(payload, *, ip=None, ua=BROWSER_UA, raw=None, **extra):
        body = raw if raw is not None else json.dumps(payload)
        return client.post(
            "/a/collect",
            data=body,
            content_type="text/plain",
            REMOTE_ADDR=ip or address,
            HTTP_USER_AGENT=ua,
            **extra,
        )

    return post


@pytest.fixture
def flush():
    from analytics import buffer, services

    if buffer.enabled():
        # Beacons that a browser test's live server buffered earlier in this process
        # (same key prefix) are not this test's events.
        queue, processing = buffer.keys()
        client = buffer.client()
        client.delete(queue, *client.zrange(processing, 0, -1), processing)

    def run():
        if buffer.enabled():
            services.events_flush()
        services.rollups_refresh(limit=100000)

    yield run
    if buffer.enabled():  # leave no buffered event to the next test
        r = buffer.client()
        queue, processing = buffer.keys()
        for key in r.zrange(processing, 0, -1):
            r.delete(key)
        r.delete(queue, processing)


def pageview(story, **extra):
    return {"k": "pageview", "p": story.pk, "s": story.get_site().pk, **extra}


LOCAL_REDIS = "redis://127.0.0.1:6379/5"


@pytest.fixture
def redis_url():
    """REDIS_URL, or a Redis on this machine; never a silent skip."""
    import redis

    url = settings.REDIS_URL or LOCAL_REDIS
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"This test needs a real Redis: set REDIS_URL ({url} did not answer: {exc}).")
    return url


@pytest.fixture
def redis_required(redis_url, settings):
    from analytics import buffer

    settings.ANALYTICS_BUFFER = "redis"
    settings.ANALYTICS_REDIS_URL = redis_url
    buffer._client = None
    yield redis_url
    buffer._client = None
