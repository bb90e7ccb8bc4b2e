"""Rollups must equal a recount from the raw events."""

import datetime
import random
import uuid

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from analytics import services
from analytics.models import Dimension, Event, Granularity, Rollup
from newsroom.models import Place, StoryPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_audience")]


def _seed(n=600):
    rng = random.Random(6)
    stories = list(StoryPage.objects.live().order_by("pk")[:8])
    codes = [None, 0] + list(Place.objects.values_list("code", flat=True)[:10])
    start = timezone.make_aware(datetime.datetime(2025, 6, 30, 20))
    rows = []
    for _ in range(n):
        s = rng.choice(stories)
        kind = rng.choice(["pageview", "pageview", "heartbeat", "media_play", "media_progress"])
        rows.append(
            {
                "event_id": str(uuid.uuid4()),
                "occurred_at": (start + datetime.timedelta(minutes=rng.randrange(600))).isoformat(),
                "kind": kind,
                "site_id": s.get_site().pk,
                "page_id": s.pk,
                "section_id": s.get_parent().pk,
                "story_format": s.primary_format,
                "visitor": f"{rng.randrange(40):032x}",
                "place_code": rng.choice(codes),
                "channel": rng.choice(["direct", "search", "social"]),
                "platform": rng.choice(["mobile", "desktop"]),
                "seconds": rng.randrange(1, 60) if kind in ("heartbeat", "media_progress") else 0,
                "media": "audio" if kind.startswith("media") else "",
            }
        )
    services.events_write(rows=rows)
    services.rollups_refresh(limit=100000)
    return rows


def _key(value):
    return "unknown" if value is None else str(value)


FIELD = {"story": "page_id", "format": "story_format", "place": "place_code", "channel": "channel"}


@pytest.mark.parametrize("granularity", [Granularity.HOUR, Granularity.DAY])
@pytest.mark.parametrize("dimension", ["total", "story", "format", "place", "channel"])
def test_rollups_equal_a_recount_from_raw_events(demo, granularity, dimension):
    _seed()
    events = Event.objects.all()
    field = FIELD.get(dimension)
    if field is None:
        expected_views = {"all": events.filter(kind="pageview").count()}
        engaged = {"all": events.filter(kind="heartbeat").aggregate(s=Sum("seconds"))["s"]}
    else:
        expected_views = {
            _key(r[field]): r["n"]
            for r in events.filter(kind="pageview").values(field).annotate(n=Count("id"))
        }
        engaged = {
            _key(r[field]): r["s"]
            for r in events.filter(kind="heartbeat").values(field).annotate(s=Sum("seconds"))
        }
    rollups = Rollup.objects.filter(granularity=granularity, dimension=dimension)
    got_views = {
        r["key"]: r["n"] for r in rollups.values("key").annotate(n=Sum("pageviews")) if r["n"]
    }
    got_engaged = {
        r["key"]: r["s"] for r in rollups.values("key").annotate(s=Sum("engaged_seconds")) if r["s"]
    }
    assert got_views == expected_views
    assert got_engaged == engaged
    assert rollups.aggregate(m=Sum("media_plays"))["m"] == events.filter(kind="media_play").count()


def test_daily_visitors_are_distinct_per_day_and_rollups_are_idempotent(demo):
    _seed()
    by_day = {}
    for e in Event.objects.filter(kind="pageview"):
        day = timezone.localtime(e.occurred_at).date()
        by_day.setdefault((day, e.site_id), set()).add(e.visitor)
    totals = Rollup.objects.filter(granularity=Granularity.DAY, dimension=Dimension.TOTAL)
    assert {(timezone.localtime(r.bucket).date(), r.site_id): r.visitors for r in totals} == {
        k: len(v) for k, v in by_day.items()
    }
    before = list(totals.order_by("pk").values("bucket", "site_id", "visitors", "pageviews"))
    for r in totals:  # recounting again changes nothing
        services.rollup_compute(granularity=r.granularity, bucket=r.bucket)
    after = Rollup.objects.filter(granularity=Granularity.DAY, dimension=Dimension.TOTAL)
    assert sorted(before, key=str) == sorted(
        after.values("bucket", "site_id", "visitors", "pageviews"), key=str
    )


def test_a_repeated_batch_counts_once(demo):
    rows = _seed(50)
    services.events_write(rows=rows)
    assert Event.objects.count() == 50
