"""A burst of beacon posts against a running server, with the Redis buffer and a real
Celery worker writing the batches: every accepted event ends up in the database once.
The same run opens a story in Debian's Chromium: the real beacon script reports a page
view and engaged time. (One test: each live-server test reloads the demo newsroom.)"""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from analytics import buffer, services, tasks
from analytics.models import Event, IpRange, Rollup
from newsroom.models import StoryPage
from tests.browser import chromium, wait_until
from tests.support import running_worker

from .conftest import BROWSER_UA

POSTS = 600
THREADS = 8


def _read_in_chromium(url: str) -> None:
    with chromium() as browser:
        # Headless Chromium says "HeadlessChrome": crawlerdetect rightly drops it.
        page = browser.new_page(user_agent=BROWSER_UA.replace("Mobile ", ""))
        page.goto(url, wait_until="load")
        wait_until(page, "typeof window.hoituTrack === 'function'")
        page.mouse.move(100, 200)
        page.wait_for_timeout(2200)  # at least one second of engaged reading
        page.mouse.move(150, 260)
        # Leaving the page: the beacon sends its last heartbeat. (A navigation's own
        # pagehide beacon is not reliably flushed by headless Chromium before it closes.)
        page.evaluate("window.dispatchEvent(new Event('pagehide'))")
        page.wait_for_timeout(1500)


def _story_views(story) -> int:
    """Today's (the demo seeds earlier years) daily rollup of the burst story."""
    rows = Rollup.objects.filter(
        granularity="day",
        dimension="story",
        key=str(story.pk),
        bucket__gte=services.day_bucket(timezone.now()),
    )
    return sum(rows.values_list("pageviews", flat=True))


@pytest.mark.worker
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_burst_loses_no_accepted_event(live_server, demo, redis_required, settings):
    settings.ANALYTICS_BATCH_SIZE = 50
    settings.ANALYTICS_RATE_LIMIT_PER_MINUTE = 100_000
    story = StoryPage.objects.live().order_by("pk").first()
    site_id = story.get_site().pk
    read = StoryPage.objects.live().filter(path__startswith=story.get_site().root_page.path)
    read = read.exclude(pk=story.pk).order_by("pk").first()
    read_url = live_server.url + read.get_url_parts()[2]  # the path, on the live server
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

    with running_worker(settings, pool="solo"):
        # The day's first visit makes the salt and caches the page. On SQLite (shared
        # in-memory test database) that first write must not race the burst's readers.
        assert post(0) == 204
        with ThreadPoolExecutor(THREADS) as pool:
            codes = list(pool.map(post, range(1, POSTS)))
        codes.append(204)  # the warm-up
        accepted = codes.count(204)
        assert accepted == POSTS, {c: codes.count(c) for c in set(codes)}
        _read_in_chromium(read_url)
        deadline = time.monotonic() + 60
        while (
            Event.objects.filter(page_id=story.pk).count() < accepted
            or not Event.objects.filter(page_id=read.pk, kind="heartbeat").exists()
        ) and time.monotonic() < deadline:
            tasks.events_flush.delay()  # what beat does every 5 s: the remainder
            time.sleep(1)
        tasks.rollups_refresh.delay()  # beat's minute tick, on the worker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _story_views(story) < POSTS // 2:
            time.sleep(0.5)
    burst = Event.objects.filter(page_id=story.pk)
    assert burst.count() == accepted
    assert burst.values("event_id").distinct().count() == accepted
    assert buffer.length() == 0 and buffer.in_flight() == 0
    assert burst.filter(kind="heartbeat").count() == POSTS // 2
    assert _story_views(story) == POSTS // 2  # the worker's rollup recounted them all
    browser = Event.objects.filter(page_id=read.pk)
    assert browser.filter(kind="pageview").count() == 1
    view = browser.get(kind="pageview")
    assert view.channel == "direct"
    # The demo's IP table places loopback in a ward: the live server sees 127.0.0.1.
    assert view.place_code == IpRange.objects.get(network="127.0.0.0/8").place_code
    assert 1 <= sum(browser.filter(kind="heartbeat").values_list("seconds", flat=True)) <= 60
