import datetime
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from analytics import collect, services
from analytics.models import DailySalt, Dimension, Event, Granularity, Rollup

from .conftest import BROWSER_UA, pageview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_audience")]


def test_pageview_is_counted_without_storing_the_address(beacon, story, flush, address):
    response = beacon(pageview(story, r="https://www.google.com/search?q=x"))
    assert response.status_code == 204
    assert not response.cookies
    flush()
    event = Event.objects.get()
    assert event.page_id == story.pk and event.kind == "pageview"
    assert event.channel == "search" and event.platform == "mobile"
    assert event.story_format == story.primary_format
    assert event.section_id == story.get_parent().pk
    stored = json.dumps(list(Event.objects.values()), default=str)
    assert address not in stored and BROWSER_UA not in stored
    assert len(event.visitor) == 32


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"k": "pageview", "p": 1, "s": 1, "x": 1}', "unknown fields"),
        ('{"k": "click", "p": 1, "s": 1}', "unknown event type"),
        ('{"k": "pageview", "p": "1", "s": 1}', "'p' must be"),
        ('{"k": "pageview", "p": -4, "s": 1}', "'p' must be"),
        ('{"k": "pageview", "s": 1}', "missing field 'p'"),
        ('{"k": "heartbeat", "p": 1, "s": 1}', "missing field 'sec'"),
        ('{"k": "heartbeat", "p": 1, "s": 1, "sec": 500}', "'sec' above"),
        ('{"k": "pageview", "p": 1, "s": 1, "sec": 5}', "'sec' is not allowed"),
        ('{"k": "media_play", "p": 1, "s": 1}', "'m' must be"),
        ('{"k": "pageview", "p": 1, "s": 1, "r": 5}', "'r' must be"),
    ],
)
def test_malformed_posts_are_refused_with_a_reason(beacon, flush, body, message):
    response = beacon(None, raw=body)
    assert response.status_code == 400
    assert message in response.content.decode()
    flush()
    assert not Event.objects.exists()


def test_oversized_post_is_refused(beacon, story, flush):
    response = beacon(pageview(story, r="https://example.org/" + "a" * 2000))
    assert response.status_code == 413
    flush()
    assert not Event.objects.exists()


def test_only_post_is_allowed(client):
    assert client.get("/a/collect").status_code == 405


def test_unknown_page_or_page_of_another_site_is_refused(beacon, story, flush):
    assert beacon({"k": "pageview", "p": 987654, "s": story.get_site().pk}).status_code == 400
    from wagtail.models import Site

    other = Site.objects.exclude(pk=story.get_site().pk).first()
    response = beacon({"k": "pageview", "p": story.pk, "s": other.pk})
    assert response.status_code == 400 and "unknown page" in response.content.decode()
    flush()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "python-requests/2.32.3",
        "",
    ],
)
def test_bots_are_answered_but_not_counted(beacon, story, flush, ua):
    assert beacon(pageview(story), ua=ua).status_code == 204
    flush()
    assert not Event.objects.exists()


@override_settings(ANALYTICS_RATE_LIMIT_PER_MINUTE=5)
def test_a_flood_from_one_address_is_cut_off(beacon, story, flush, address):
    codes = [beacon(pageview(story)).status_code for _ in range(8)]
    assert codes[:5] == [204] * 5 and set(codes[5:]) == {429}
    assert beacon(pageview(story), ip="198.51.100.77").status_code == 204
    flush()
    assert Event.objects.count() == 6


def test_unique_visitors_rotate_with_the_daily_salt(story):
    site_id = story.get_site().pk
    day1 = timezone.make_aware(datetime.datetime(2025, 3, 1, 9))
    same = dict(ip="203.0.113.9", user_agent=BROWSER_UA, site_id=site_id)
    morning = collect.visitor_hash(**same, when=day1)
    evening = collect.visitor_hash(**same, when=day1 + datetime.timedelta(hours=12))
    next_day = collect.visitor_hash(**same, when=day1 + datetime.timedelta(days=1))
    other_ua = collect.visitor_hash(**{**same, "user_agent": "Other"}, when=day1)
    other_site = collect.visitor_hash(**{**same, "site_id": site_id + 1}, when=day1)
    assert morning == evening
    assert len({morning, next_day, other_ua, other_site}) == 4
    # Two days later the salt of day 1 is destroyed: its hashes cannot be remade.
    services.salts_purge(today=datetime.date(2025, 3, 3))
    assert not DailySalt.objects.filter(day=datetime.date(2025, 3, 1)).exists()
    assert DailySalt.objects.filter(day=datetime.date(2025, 3, 2)).exists()
    assert collect.visitor_hash(**same, when=day1) != morning


def test_visitors_count_once_per_day_and_engaged_time_adds_up(beacon, story, flush):
    site = story.get_site().pk
    for ip in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
        assert beacon(pageview(story), ip=ip).status_code == 204
    for seconds in (15, 15, 7):
        beacon({"k": "heartbeat", "p": story.pk, "s": site, "sec": seconds}, ip="203.0.113.1")
    beacon({"k": "media_play", "p": story.pk, "s": site, "m": "audio"}, ip="203.0.113.2")
    beacon({"k": "media_progress", "p": story.pk, "s": site, "m": "audio", "sec": 15})
    flush()
    day = Rollup.objects.get(
        granularity=Granularity.DAY, dimension=Dimension.STORY, key=str(story.pk)
    )
    assert (day.pageviews, day.visitors, day.engaged_seconds) == (3, 2, 37)
    assert (day.media_plays, day.media_seconds) == (1, 15)
    author = story.bylines.first().author_id
    assert (
        Rollup.objects.get(
            granularity=Granularity.HOUR, dimension=Dimension.AUTHOR, key=str(author)
        ).engaged_seconds
        == 37
    )


def test_an_unpublished_story_stops_counting(beacon, story, flush):
    assert beacon(pageview(story)).status_code == 204
    story.unpublish()
    response = beacon(pageview(story))
    assert response.status_code == 400 and "unknown page" in response.content.decode()
    flush()
    assert Event.objects.count() == 1


def test_a_logged_in_reader_is_placed_by_profile_without_a_query_per_beat(
    client, beacon, story, flush
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsroom.models import Place, PlaceKind
    from paywall.services import reader_create

    commune = Place.objects.filter(kind=PlaceKind.COMMUNE).order_by("code").first()
    reader = reader_create(email="doc.gia@example.vn", password="x" * 12, commune_code=commune.code)
    client.force_login(reader)
    assert beacon(pageview(story)).status_code == 204
    heartbeat = {"k": "heartbeat", "p": story.pk, "s": story.get_site().pk, "sec": 15}
    with CaptureQueriesContext(connection) as queries:
        assert beacon(heartbeat).status_code == 204
    assert not [q for q in queries if "paywall_readerprofile" in q["sql"]]
    flush()
    assert set(Event.objects.values_list("place_code", flat=True)) == {commune.code}
