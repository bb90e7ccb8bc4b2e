"""Demo audience and hand-entered facts from 2023 up to the current year (its months up to
the current one), so that the dashboards, which open on the current year, and the indicator
report show real numbers in `make run`. The figures of 2023–2025 are fixed; later years
carry the trend on. Idempotent (a database loaded last year or last month is topped up on
the next run); kept small because the test suite loads it once per database."""

import datetime
import random
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from newsroom.models import Agency, Outlet, Place, PlaceKind, StoryByline, StoryPage

from . import services
from .models import (
    AgencyYearStatus,
    Dimension,
    Granularity,
    GuidanceDocument,
    IpRange,
    MaturityAssessment,
    PlatformRevenue,
    Population,
    PrintCirculation,
    Reach,
    Rollup,
    TrainingRecord,
)

FIRST_YEAR = 2023
LAST_FIXED_YEAR = 2025  # the figures up to this year are written out below and never change
# Audience grows and moves towards rural readers year by year (urban share 68% → 58% …).
URBAN_SHARE = {2023: 0.68, 2024: 0.63, 2025: 0.58}
GROWTH = {2023: 1.0, 2024: 1.25, 2025: 1.6}
SITE_SCALE = {"baothanhhoa": 1.0, "ptth": 0.7, "vannghe": 0.15}
REVENUE_BASE = {"baothanhhoa": 1_800_000_000, "ptth": 1_200_000_000, "vannghe": 90_000_000}
REVENUE_GROWTH = {2022: 1.0, 2023: 1.12, 2024: 1.30, 2025: 1.58}
STATUS = {
    # agency: {year: (autonomous, commissioned, converged)}
    "baothanhhoa": {2023: (False, True, True), 2024: (False, True, True), 2025: (True, True, True)},
    "ptth": {2023: (False, False, False), 2024: (False, True, True), 2025: (False, True, True)},
    "vannghe": {
        2023: (False, False, False),
        2024: (False, False, False),
        2025: (False, False, False),
    },
}
MATURITY = {
    "baothanhhoa": {2024: (12, 15, 13, 14, 8), 2025: (15, 19, 16, 18, 11)},
    "ptth": {2024: (10, 16, 12, 12, 7), 2025: (13, 19, 15, 16, 10)},
    "vannghe": {2024: (6, 8, 9, 7, 3), 2025: (8, 11, 11, 10, 5)},
}
MATURITY_MAX = (18, 24, 20, 23, 15)
# Share of the remote communes' people reached by the paper and the broadcasts.
COVERAGE = {2023: 0.83, 2024: 0.90, 2025: 0.97}


def demo_years(today: datetime.date | None = None) -> list[int]:
    """2023 up to the current year (never fewer than the fixed years)."""
    today = today or timezone.localdate()
    return list(range(FIRST_YEAR, max(today.year, LAST_FIXED_YEAR) + 1))


def demo_months(year: int, today: datetime.date | None = None) -> list[int]:
    """The months of `year` that have begun: all twelve of a past year, up to this month of
    the current one."""
    today = today or timezone.localdate()
    return list(range(1, (today.month if year == today.year else 12) + 1))


def _carried(table: dict, year: int, step):
    """`table[year]`, or the last fixed value carried on by `step(value, years_after)`."""
    if year in table:
        return table[year]
    return step(table[LAST_FIXED_YEAR], year - LAST_FIXED_YEAR)


def urban_share(year: int) -> float:
    return _carried(URBAN_SHARE, year, lambda v, n: max(0.45, v - 0.03 * n))


def growth(year: int) -> float:
    return _carried(GROWTH, year, lambda v, n: v * 1.2**n)


def revenue_growth(year: int) -> float:
    return _carried(REVENUE_GROWTH, year, lambda v, n: v * 1.15**n)


def coverage(year: int) -> float:
    return _carried(COVERAGE, year, lambda v, n: min(0.99, v + 0.01 * n))


def status(slug: str, year: int) -> tuple[bool, bool, bool]:
    return _carried(STATUS[slug], year, lambda v, n: v)


def maturity(slug: str, year: int) -> tuple[int, ...]:
    return _carried(
        MATURITY[slug],
        year,
        lambda v, n: tuple(min(m, x + 2 * n) for x, m in zip(v, MATURITY_MAX, strict=True)),
    )


def _later_rng(*key) -> random.Random:
    """The random stream of a year after the fixed ones: its own, so that adding a year
    never changes the figures drawn for the years before it."""
    return random.Random("-".join(str(k) for k in key))


HANDLED_MODELS = [
    PrintCirculation,
    Population,
    Reach,
    AgencyYearStatus,
    PlatformRevenue,
    TrainingRecord,
    MaturityAssessment,
]


def _up_to_date(today: datetime.date) -> bool:
    """This month's hand-entered revenue is the last thing a run writes for the month."""
    return PlatformRevenue.objects.filter(
        agency__slug="baothanhhoa", year=today.year, month=today.month
    ).exists()


def load(stdout=None) -> None:
    today = timezone.localdate()
    if _up_to_date(today):
        if stdout:
            stdout.write("Analytics demo already loaded.")
        return
    # A database loaded in an earlier month only gets the months since (every writer below
    # skips the rows it finds); yesterday's raw events are written on the first run only.
    first_run = not AgencyYearStatus.objects.filter(
        agency__slug="baothanhhoa", year=LAST_FIXED_YEAR
    ).exists()
    rng = random.Random(6)
    agencies = {a.slug: a for a in Agency.objects.filter(slug__in=SITE_SCALE)}
    if len(agencies) < 3:
        return  # the newsroom demo did not run
    places = list(Place.objects.order_by("code"))
    years = demo_years(today)
    with transaction.atomic():
        services.analytics_grant_permissions()
        _statuses(agencies, years)
        _population_and_reach(places, agencies, rng, years)
        _circulation(places, agencies["baothanhhoa"], rng, years, today)
        _training(agencies)
        _rollups(places, agencies, rng, years, today)
        _ip_ranges(places)
        if first_run:
            _events(rng)
        _guidance(agencies)
        _revenue(agencies, years, today)  # last: it marks the month as loaded
    if stdout:
        stdout.write(
            f"Analytics demo: {Rollup.objects.count()} rollup rows, "
            f"{PrintCirculation.objects.count()} print circulation rows."
        )


def _statuses(agencies, years):
    for slug in STATUS:
        for year in years:
            autonomous, commissioned, converged = status(slug, year)
            AgencyYearStatus.objects.get_or_create(
                agency=agencies[slug],
                year=year,
                defaults={
                    "autonomous": autonomous,
                    "state_commissioned": commissioned,
                    "converged": converged,
                    "converged_evidence": (
                        "Quyết định thành lập Ban Biên tập hội tụ; quy chế sản xuất một nguồn "
                        "nhiều loại hình; sơ đồ tòa soạn."
                        if converged
                        else ""
                    ),
                },
            )
    for slug in MATURITY:
        for year in years:
            if year < min(MATURITY[slug]):
                continue  # the self-assessment began in 2024
            MaturityAssessment.objects.get_or_create(
                agency=agencies[slug],
                year=year,
                defaults=dict(
                    zip(
                        ["strategy", "infrastructure", "organisation", "audiences", "technology"],
                        maturity(slug, year),
                        strict=True,
                    )
                ),
            )


def _revenue(agencies, years, today):
    sources = [("Quảng cáo trực tuyến", 0.55), ("YouTube", 0.25), ("Đối tác nội dung", 0.20)]
    rows = []
    for slug, base in REVENUE_BASE.items():
        for year in sorted({*REVENUE_GROWTH, *years}):
            factor = revenue_growth(year)
            for month in demo_months(year, today):
                for source, share in sources:
                    rows.append(
                        PlatformRevenue(
                            agency=agencies[slug],
                            year=year,
                            month=month,
                            source=source,
                            amount=int(base * factor * share / 12) // 1000 * 1000,
                        )
                    )
    PlatformRevenue.objects.bulk_create(rows, ignore_conflicts=True)


def _population_and_reach(places, agencies, rng, years):
    remote = [p for p in places if p.is_remote or p.is_border]
    populations, reaches = [], []
    for place in places:
        people = rng.randrange(6_000, 30_000)
        for year in years:
            populations.append(Population(place=place, year=year, people=people + year - 2023))
            if place in remote:
                reaches.append(
                    Reach(
                        place=place,
                        year=year,
                        people=int((people + year - 2023) * coverage(year)),
                        source="Khảo sát phủ sóng PT-TH và phát hành báo in vùng khó khăn",
                    )
                )
    Population.objects.bulk_create(populations, ignore_conflicts=True)
    Reach.objects.bulk_create(reaches, ignore_conflicts=True)


def _circulation(places, agency, rng, years, today):
    rows = []
    for year in years:
        draw = rng if year <= LAST_FIXED_YEAR else _later_rng("circulation", year)
        for month in (3, 6, 9, 12):  # the quarterly special issues, delivered per commune
            day = datetime.date(year, month, 15)
            if day > today:
                break
            for place in places:
                urban = place.kind == PlaceKind.WARD
                copies = draw.randrange(120, 260) if urban else draw.randrange(15, 60)
                rows.append(
                    PrintCirculation(agency=agency, issue_date=day, place=place, copies=copies)
                )
    PrintCirculation.objects.bulk_create(rows, ignore_conflicts=True)


def _training(agencies):
    from .selectors import staff_of

    User = get_user_model()
    for slug, agency in agencies.items():
        staff = list(User.objects.filter(pk__in=staff_of(agency)).order_by("username"))
        trained = staff if slug != "vannghe" else staff[:-1]  # one still to train
        for i, person in enumerate(trained):
            TrainingRecord.objects.get_or_create(
                agency=agency,
                person=person,
                course="Bồi dưỡng kỹ năng chuyển đổi số báo chí",
                defaults={"completed_on": datetime.date(2024 + i % 2, 6, 20), "hours": 24},
            )


def _rollups(places, agencies, rng, years, today):
    """One daily rollup per month and site (the 15th), at a month's scale: enough for the
    charts and the indicator without writing millions of rows in every test database."""
    wards = [p for p in places if p.kind == PlaceKind.WARD][:8]
    communes = [p for p in places if p.kind != PlaceKind.WARD]
    mountain = [p for p in communes if p.is_mountainous][:6]
    lowland = [p for p in communes if not p.is_mountainous][:10]
    rows = []
    # The reporter's own numbers ("Số liệu của tôi") read the author dimension, as the
    # collector writes it: each story's figures also count for each of its bylines.
    authors: dict[int, list[int]] = {}
    for story_id, author_id in StoryByline.objects.values_list("story_id", "author_id"):
        authors.setdefault(story_id, []).append(author_id)
    for outlet in Outlet.objects.select_related("agency"):
        scale = SITE_SCALE.get(outlet.agency.slug, 0.1)
        root = outlet.site.root_page
        stories = list(
            StoryPage.objects.live()
            .descendant_of(root)
            .values_list("pk", "first_published_at", "primary_format", "path")
        )
        for year in years:
            draw = rng if year <= LAST_FIXED_YEAR else _later_rng("rollups", outlet.pk, year)
            for month in demo_months(year, today):
                day = 15
                if (year, month) == (today.year, today.month):
                    # Not today nor yesterday: those days are counted from the raw events.
                    day = min(15, today.day - 2)
                    if day < 1:
                        continue
                bucket = timezone.make_aware(datetime.datetime(year, month, day))
                views = int(42_000 * scale * growth(year) * (0.9 + 0.2 * draw.random()))
                visitors = int(views * 0.55)
                engaged = views * 48

                def add(
                    dimension, key, share, _b=bucket, _v=views, _u=visitors, _e=engaged, _o=outlet
                ):
                    rows.append(
                        Rollup(
                            granularity=Granularity.DAY,
                            bucket=_b,
                            site_id=_o.site_id,
                            dimension=dimension,
                            key=str(key),
                            pageviews=int(_v * share),
                            visitors=int(_u * share),
                            engaged_seconds=int(_e * share),
                            media_plays=int(_v * share * (0.3 if _o.kind == "broadcast" else 0.05)),
                            media_seconds=int(_v * share * 40),
                        )
                    )

                add(Dimension.TOTAL, "all", 1.0)
                located = 0.82  # 18% of accesses cannot be placed and stay unknown
                urban = urban_share(year) * located * 0.95
                rural = (1 - urban_share(year)) * located * 0.95
                for p in wards:
                    add(Dimension.PLACE, p.code, urban / len(wards))
                for p in mountain:
                    add(Dimension.PLACE, p.code, rural * 0.4 / len(mountain))
                for p in lowland:
                    add(Dimension.PLACE, p.code, rural * 0.6 / len(lowland))
                add(Dimension.PLACE, 0, located * 0.05)
                add(Dimension.PLACE, "unknown", 1 - located)
                for channel, share in (
                    ("direct", 0.3),
                    ("search", 0.25),
                    ("social", 0.35),
                    ("internal", 0.1),
                ):
                    add(Dimension.CHANNEL, channel, share)
                for platform, share in (("mobile", 0.72), ("desktop", 0.24), ("tablet", 0.04)):
                    add(Dimension.PLATFORM, platform, share)
                recent = [s for s in stories if s[1] and s[1] <= bucket][-6:]
                by_author: dict[int, float] = {}
                for i, (pk, _, fmt, _) in enumerate(recent):
                    add(Dimension.STORY, pk, 0.3 / (i + 1))
                    for author_id in authors.get(pk, ()):
                        by_author[author_id] = by_author.get(author_id, 0) + 0.3 / (i + 1)
                    add(Dimension.FORMAT, fmt, 0.3 / (i + 1) / 2)
                for author_id, share in by_author.items():
                    add(Dimension.AUTHOR, author_id, share)
    Rollup.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def _ip_ranges(places):
    if IpRange.objects.exists():
        return
    ward = next(p for p in places if p.kind == PlaceKind.WARD)
    mountain = next(p for p in places if p.is_mountainous)
    # Documentation and loopback ranges only: a demo must not claim real operators' blocks.
    services.ip_ranges_import(
        text=(
            "cidr,commune_code\n"
            f"127.0.0.0/8,{ward.code}\n"
            f"192.0.2.0/24,{mountain.code}\n"
            "198.51.100.0/24,0\n"
        )
    )


def _events(rng):
    """A few hundred raw events of yesterday through the real writer and rollups."""
    stories = [
        (s, s.get_site().pk, s.get_parent().pk)
        for s in StoryPage.objects.live().order_by("pk")[:12]
    ]
    if not stories:
        return
    yesterday = timezone.now() - datetime.timedelta(days=1)
    codes = [None, 0] + list(Place.objects.values_list("code", flat=True)[:20])
    rows = []
    for _ in range(300):
        story, site_id, section_id = rng.choice(stories)
        kind = rng.choice(["pageview", "pageview", "heartbeat", "heartbeat", "media_play"])
        rows.append(
            {
                "event_id": str(uuid.uuid4()),
                "occurred_at": (
                    yesterday - datetime.timedelta(minutes=rng.randrange(600))
                ).isoformat(),
                "kind": kind,
                "site_id": site_id,
                "page_id": story.pk,
                "section_id": section_id,
                "story_format": story.primary_format,
                "visitor": f"{rng.randrange(90):032x}",
                "place_code": rng.choice(codes),
                "channel": rng.choice(["direct", "search", "social"]),
                "platform": rng.choice(["mobile", "desktop"]),
                "seconds": rng.randrange(5, 30) if kind == "heartbeat" else 0,
                "media": "video" if kind == "media_play" else "",
            }
        )
    services.events_write(rows=rows)
    services.rollups_refresh(limit=1000)


def _guidance(agencies):
    if GuidanceDocument.objects.exists():
        return
    User = get_user_model()
    officer = User.objects.filter(username="so.tttt").first()
    document = GuidanceDocument.objects.create(
        title="Hướng dẫn báo cáo kết quả chuyển đổi số báo chí năm 2025",
        reference="125/HD-SVHTTDL",
        body=(
            "Đề nghị các cơ quan báo chí báo cáo kết quả thực hiện các chỉ tiêu của Kế hoạch "
            "chuyển đổi số báo chí năm 2025 trước ngày 15/12/2025, kèm bản tự đánh giá mức độ "
            "chuyển đổi số theo Bộ chỉ số."
        ),
        sent_by=officer,
    )
    document.agencies.set(agencies.values())
    reader = User.objects.filter(username="tongbientap.baothanhhoa").first()
    if reader:
        services.guidance_mark_read(document=document, user=reader, agency=agencies["baothanhhoa"])
