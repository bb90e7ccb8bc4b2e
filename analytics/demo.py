"""Demo audience and hand-entered facts for 2022–2025, so that the dashboards and the
indicator report show real numbers in `make run`. Idempotent; kept small because the test
suite loads it once per database."""

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

YEARS = [2023, 2024, 2025]
# Audience grows and moves towards rural readers year by year (urban share 68% → 58%).
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
HANDLED_MODELS = [
    PrintCirculation,
    Population,
    Reach,
    AgencyYearStatus,
    PlatformRevenue,
    TrainingRecord,
    MaturityAssessment,
]


def load(stdout=None) -> None:
    if AgencyYearStatus.objects.filter(agency__slug="baothanhhoa", year=2025).exists():
        if stdout:
            stdout.write("Analytics demo already loaded.")
        return
    rng = random.Random(6)
    agencies = {a.slug: a for a in Agency.objects.filter(slug__in=SITE_SCALE)}
    if len(agencies) < 3:
        return  # the newsroom demo did not run
    places = list(Place.objects.order_by("code"))
    with transaction.atomic():
        services.analytics_grant_permissions()
        _statuses(agencies)
        _revenue(agencies)
        _population_and_reach(places, agencies, rng)
        _circulation(places, agencies["baothanhhoa"], rng)
        _training(agencies)
        _rollups(places, agencies, rng)
        _ip_ranges(places)
        _events(rng)
        _guidance(agencies)
    if stdout:
        stdout.write(
            f"Analytics demo: {Rollup.objects.count()} rollup rows, "
            f"{PrintCirculation.objects.count()} print circulation rows."
        )


def _statuses(agencies):
    for slug, years in STATUS.items():
        for year, (autonomous, commissioned, converged) in years.items():
            AgencyYearStatus.objects.update_or_create(
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
    for slug, years in MATURITY.items():
        for year, scores in years.items():
            MaturityAssessment.objects.update_or_create(
                agency=agencies[slug],
                year=year,
                defaults=dict(
                    zip(
                        ["strategy", "infrastructure", "organisation", "audiences", "technology"],
                        scores,
                        strict=True,
                    )
                ),
            )


def _revenue(agencies):
    sources = [("Quảng cáo trực tuyến", 0.55), ("YouTube", 0.25), ("Đối tác nội dung", 0.20)]
    rows = []
    for slug, base in REVENUE_BASE.items():
        for year, factor in REVENUE_GROWTH.items():
            for month in range(1, 13):
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


def _population_and_reach(places, agencies, rng):
    remote = [p for p in places if p.is_remote or p.is_border]
    coverage = {2023: 0.83, 2024: 0.90, 2025: 0.97}
    populations, reaches = [], []
    for place in places:
        people = rng.randrange(6_000, 30_000)
        for year in YEARS:
            populations.append(Population(place=place, year=year, people=people + year - 2023))
            if place in remote:
                reaches.append(
                    Reach(
                        place=place,
                        year=year,
                        people=int((people + year - 2023) * coverage[year]),
                        source="Khảo sát phủ sóng PT-TH và phát hành báo in vùng khó khăn",
                    )
                )
    Population.objects.bulk_create(populations, ignore_conflicts=True)
    Reach.objects.bulk_create(reaches, ignore_conflicts=True)


def _circulation(places, agency, rng):
    rows = []
    for year in YEARS:
        for month in (3, 6, 9, 12):  # the quarterly special issues, delivered per commune
            day = datetime.date(year, month, 15)
            for place in places:
                urban = place.kind == PlaceKind.WARD
                copies = rng.randrange(120, 260) if urban else rng.randrange(15, 60)
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


def _rollups(places, agencies, rng):
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
        for year in YEARS:
            for month in range(1, 13):
                bucket = timezone.make_aware(datetime.datetime(year, month, 15))
                views = int(42_000 * scale * GROWTH[year] * (0.9 + 0.2 * rng.random()))
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
                urban = URBAN_SHARE[year] * located * 0.95
                rural = (1 - URBAN_SHARE[year]) * located * 0.95
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
