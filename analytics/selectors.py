"""Reads of the analytics app: audience from rollups, production counters, the plan's
indicators. Agencies are counted as they stood in the year asked (OutletOwnership)."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from wagtail.models import Page

from newsroom.models import (
    Agency,
    AgencyRole,
    Commission,
    OutletOwnership,
    Place,
    PlaceKind,
    StoryByline,
    StoryPage,
)

from .models import (
    MATURITY_PILLARS,
    PLACE_ELSEWHERE,
    AgencyYearStatus,
    Dimension,
    Granularity,
    IndicatorTarget,
    MaturityAssessment,
    PlatformRevenue,
    Population,
    PrintCirculation,
    Reach,
    Rollup,
    TrainingRecord,
)
from .templatetags.vn_numbers import format_number, format_percent

BASE_YEAR = 2020  # the plan measures political-task output against 2020


# --- Periods: which sites belonged to an agency when ---------------------------------------


@dataclass(frozen=True)
class Period:
    site_id: int
    root_path: str
    start: datetime.datetime
    end: datetime.datetime  # exclusive


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def periods(*, year: int, agency: Agency | None = None) -> list[Period]:
    """Each (site, time span) of `year` during which the site belonged to `agency` (or
    to any agency, for the province)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = OutletOwnership.objects.filter(valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    )
    if agency is not None:
        rows = rows.filter(agency=agency)
    result = []
    for row in rows.select_related("outlet__site__root_page"):
        start = max(row.valid_from, first)
        # valid_to is the last day of ownership: the period ends the next midnight.
        end = min(row.valid_to or last, last) + datetime.timedelta(days=1)
        result.append(
            Period(
                site_id=row.outlet.site_id,
                root_path=row.outlet.site.root_page.path,
                start=_local_midnight(start),
                end=_local_midnight(end),
            )
        )
    if agency is None:  # the province counts each site once over the whole year
        by_site = {}
        for p in result:
            by_site[p.site_id] = Period(
                p.site_id, p.root_path, _local_midnight(first), _local_midnight(last)
            )
        result = [
            Period(p.site_id, p.root_path, p.start, p.start.replace(year=year + 1))
            for p in by_site.values()
        ]
    return result


def agencies_of_year(year: int) -> list[Agency]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    ids = (
        OutletOwnership.objects.filter(valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .values_list("agency_id", flat=True)
    )
    return list(Agency.objects.filter(pk__in=set(ids)).order_by("name"))


# --- Production counters ------------------------------------------------------------------

FLAGS = {
    "political_task": "Nhiệm vụ chính trị",
    "essential_information": "Thông tin thiết yếu",
    "national_defence": "Quốc phòng, an ninh",
}


def stories(*, year: int, agency: Agency | None = None) -> list[dict]:
    """Published stories of `year` (first publication), one dict each."""
    condition = Q()
    for p in periods(year=year, agency=agency):
        condition |= Q(
            path__startswith=p.root_path,
            first_published_at__gte=p.start,
            first_published_at__lt=p.end,
        )
    if not condition:
        return []
    rows = list(
        StoryPage.objects.filter(condition)
        .filter(live=True)
        .values(
            "pk",
            "title",
            "path",
            "first_published_at",
            "primary_format",
            "political_task",
            "essential_information",
            "national_defence",
            "commission_id",
            "audio_id",
            "video_id",
            "lead_image_id",
        )
    )
    parent_paths = {r["path"][:-4] for r in rows}  # Wagtail paths grow 4 characters a level
    sections = {p.path: (p.pk, p.title) for p in Page.objects.filter(path__in=parent_paths)}
    authors = defaultdict(list)
    for story_id, user_id in StoryByline.objects.filter(
        story_id__in=[r["pk"] for r in rows]
    ).values_list("story_id", "author_id"):
        authors[story_id].append(user_id)
    listen = _listen_ready([r["pk"] for r in rows])
    for r in rows:
        r["listen"] = r["pk"] in listen
        r["section_id"], r["section"] = sections.get(r["path"][:-4], (None, ""))
        r["authors"] = authors.get(r["pk"], [])
        r["flagged"] = any(r[f] for f in FLAGS)
    return rows


# An audio version ("Nghe bài viết", docs/speech.md) is one more multimedia product of the
# story: counted in the format grouping under its own label, in the story's period, never
# by turning the text story into a multimedia one.
LISTEN_GROUP = "listen"
LISTEN_LABEL = "Bản nghe bài viết (giọng đọc tự động)"


def _listen_ready(story_ids: list[int]) -> set[int]:
    from django.apps import apps

    if not story_ids or not apps.is_installed("speech"):
        return set()
    from speech.models import ListenState, StoryAudio

    return set(
        StoryAudio.objects.filter(story_id__in=story_ids, state=ListenState.READY).values_list(
            "story_id", flat=True
        )
    )


def _period_key(moment: datetime.datetime, period: str) -> str:
    local = timezone.localtime(moment)
    if period == "week":
        iso = local.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    return str(local.year)


def _group_counts(rows: list[dict], *, by: str, period: str) -> dict[str, Counter]:
    result: dict[str, Counter] = defaultdict(Counter)
    for story in rows:
        when = _period_key(story["first_published_at"], period)
        if by == "author":
            groups = [str(a) for a in story["authors"]] or ["(không ghi tên)"]
        elif by in ("section", "desk"):
            groups = [story["section"]]
        elif by == "format":
            groups = [story["primary_format"]] + ([LISTEN_GROUP] if story.get("listen") else [])
        elif by == "flag":
            groups = [f for f in FLAGS if story[f]] or ["none"]
        else:
            raise ValueError(f"unknown grouping {by!r}")
        for g in groups:
            result[g][when] += 1
    return dict(result)


def production_counts(
    *, year: int, agency: Agency | None = None, by: str, period: str = "year"
) -> dict[str, Counter]:
    """{group: Counter(period -> items)} for by in author/section/format/flag/desk."""
    return _group_counts(stories(year=year, agency=agency), by=by, period=period)


def production_growth(*, year: int, agency: Agency | None = None, by: str) -> list[dict]:
    """Items per group this year, last year and in 2020, with growth (%) against both."""
    return production_growths(year=year, agency=agency, bys=[by])[by]


def production_growths(
    *, year: int, agency: Agency | None = None, bys: list[str]
) -> dict[str, list[dict]]:
    """production_growth for each grouping in `bys`, reading each year's stories once."""
    rows_of = {y: stories(year=y, agency=agency) for y in {year, year - 1, BASE_YEAR}}
    return {by: _growth_rows(rows_of, year=year, by=by) for by in bys}


def _growth_rows(rows_of: dict[int, list[dict]], *, year: int, by: str) -> list[dict]:
    from django.contrib.auth import get_user_model

    counts = {
        y: {g: sum(c.values()) for g, c in _group_counts(rows, by=by, period="year").items()}
        for y, rows in rows_of.items()
    }
    groups = sorted(set().union(*(c.keys() for c in counts.values())))
    labels = dict(FLAGS) | {"none": "Không gắn cờ"}
    if by == "format":
        from newsroom.models import PrimaryFormat

        labels = dict(PrimaryFormat.choices) | {LISTEN_GROUP: LISTEN_LABEL}
    elif by == "author":
        users = get_user_model().objects.filter(pk__in=[g for g in groups if g.isdigit()])
        labels = {str(u.pk): u.get_full_name() or u.get_username() for u in users}
    rows = []
    for g in groups:
        now, prev, base = (counts[y].get(g, 0) for y in (year, year - 1, BASE_YEAR))
        rows.append(
            {
                "group": labels.get(g, g),
                "count": now,
                "previous": prev,
                "growth": growth(now, prev),
                "base": base,
                "growth_base": growth(now, base),
            }
        )
    return sorted(rows, key=lambda r: -r["count"])


def flagged_count(*, year: int, agency: Agency | None = None) -> int:
    return sum(1 for s in stories(year=year, agency=agency) if s["flagged"])


def growth(current: int | None, previous: int | None) -> Decimal | None:
    if current is None or not previous:
        return None
    return _pct(Decimal(current - previous), Decimal(previous))


def commission_progress(*, year: int, agency: Agency | None = None) -> list[dict]:
    """Delivered vs quota per format for each commission of `year`. A story counts for
    text always, for photo if it has a lead image, radio/TV if it carries the cut or was
    born in that format."""
    commissions = Commission.objects.filter(year=year)
    if agency is not None:
        commissions = commissions.filter(agency=agency)
    commissions = list(commissions.select_related("agency"))
    delivered_by: dict[int, Counter] = defaultdict(Counter)
    for s in (
        StoryPage.objects.live()
        .filter(commission__in=commissions)
        .values("commission_id", "primary_format", "audio_id", "video_id", "lead_image_id")
    ):
        delivered = delivered_by[s["commission_id"]]
        delivered["text"] += 1
        delivered["photo"] += bool(s["lead_image_id"])
        delivered["radio"] += bool(s["audio_id"] or s["primary_format"] == "radio")
        delivered["tv"] += bool(s["video_id"] or s["primary_format"] == "tv")
    result = []
    for c in commissions:
        delivered = delivered_by[c.pk]
        rows = []
        for fmt, label in (
            ("text", "Văn bản"),
            ("photo", "Ảnh"),
            ("radio", "Phát thanh"),
            ("tv", "Truyền hình"),
        ):
            quota = getattr(c, f"quota_{fmt}")
            rows.append(
                {
                    "format": fmt,
                    "label": label,
                    "quota": quota,
                    "delivered": delivered[fmt],
                    "percent": _pct(Decimal(delivered[fmt]), Decimal(quota)) if quota else None,
                }
            )
        result.append({"commission": c, "rows": rows})
    return result


# --- Audience -----------------------------------------------------------------------------


def _rollups(*, year: int, agency: Agency | None, dimension: str, granularity: str):
    """The rollup rows of `year` that belong to `agency` (or the province): one query over
    every (site, time span) of periods()."""
    condition = Q()
    for p in periods(year=year, agency=agency):
        condition |= Q(site_id=p.site_id, bucket__gte=p.start, bucket__lt=p.end)
    if not condition:
        return Rollup.objects.none()
    return Rollup.objects.filter(condition, granularity=granularity, dimension=dimension)


def audience(
    *,
    year: int,
    agency: Agency | None = None,
    dimension: str = Dimension.TOTAL,
    granularity: str = Granularity.DAY,
) -> dict[str, dict]:
    """Sums of daily rollups over `year` per key of `dimension`. `visitors` is a sum of
    daily uniques (visitor-days): the salt rotates daily by design."""
    rows = (
        _rollups(year=year, agency=agency, dimension=dimension, granularity=granularity)
        .values("key")
        .annotate(
            pageviews=Sum("pageviews"),
            visitors=Sum("visitors"),
            engaged_seconds=Sum("engaged_seconds"),
            media_plays=Sum("media_plays"),
            media_seconds=Sum("media_seconds"),
            paywall_impressions=Sum("paywall_impressions"),
            paywall_conversions=Sum("paywall_conversions"),
            push_sent=Sum("push_sent"),
            push_delivered=Sum("push_delivered"),
            push_failed=Sum("push_failed"),
            push_expired=Sum("push_expired"),
            push_clicks=Sum("push_clicks"),
        )
    )
    return {row.pop("key"): {k: v or 0 for k, v in row.items()} for row in rows}


def audience_by_month(*, year: int, agency: Agency | None = None) -> list[dict]:
    months = defaultdict(Counter)
    for bucket, pv, vis, eng in _rollups(
        year=year, agency=agency, dimension=Dimension.TOTAL, granularity=Granularity.DAY
    ).values_list("bucket", "pageviews", "visitors", "engaged_seconds"):
        m = timezone.localtime(bucket).month
        months[m].update(pageviews=pv, visitors=vis, engaged_seconds=eng)
    return [{"month": m, **months[m]} for m in range(1, 13)]


def place_classes(place_totals: dict[str, dict], metric: str = "visitors") -> dict[str, int]:
    """Folds per-commune counts into urban / rural (with mountainous, remote, border as
    subsets of rural), elsewhere and unknown. Reads the Place flags as they are now."""
    places = {str(p.code): p for p in Place.objects.all()}
    result = Counter(
        {
            "urban": 0,
            "rural": 0,
            "mountainous": 0,
            "remote": 0,
            "border": 0,
            "elsewhere": 0,
            "unknown": 0,
        }
    )
    for key, values in place_totals.items():
        n = values.get(metric, 0)
        if key == str(PLACE_ELSEWHERE):
            result["elsewhere"] += n
            continue
        place = places.get(key)
        if place is None:
            result["unknown"] += n
            continue
        if place.kind == PlaceKind.WARD:
            result["urban"] += n
        else:
            result["rural"] += n
            result["mountainous"] += n if place.is_mountainous else 0
            result["remote"] += n if place.is_remote else 0
            result["border"] += n if place.is_border else 0
    return dict(result)


# --- Revenue ------------------------------------------------------------------------------


def paywall_ledger(year: int) -> list[dict] | None:
    """Rows of the paywall's revenue ledger, or None while the paywall has no ledger."""
    try:
        from paywall.selectors import ledger_totals
    except ImportError:
        return None
    return list(ledger_totals(year=year))


def digital_revenue(*, year: int, agency: Agency | None = None) -> dict:
    """{'total', 'by_source', 'ledger_available', 'entered_rows'} in đồng."""
    by_source: Counter = Counter()
    ledger = paywall_ledger(year)
    if ledger is not None:
        from paywall.models import Gateway

        gateways = dict(Gateway.choices)
        spans = periods(year=year, agency=agency)
        for row in ledger:
            month_start = _local_midnight(datetime.date(year, int(row["month"]), 1))
            if any(p.site_id == row["site_id"] and p.start <= month_start < p.end for p in spans):
                by_source[f"Tường phí: {gateways.get(row['source'], row['source'])}"] += int(
                    row["amount"]
                )
    entered = PlatformRevenue.objects.filter(year=year)
    if agency is not None:
        entered = entered.filter(agency=agency)
    entered = list(entered.values_list("source", "amount"))
    for source, amount in entered:
        by_source[source] += amount
    return {
        "total": sum(by_source.values()),
        "by_source": dict(by_source),
        "ledger_available": ledger is not None,
        "ledger_rows": len(ledger or []),
        "entered_rows": len(entered),
    }


# --- Indicators ---------------------------------------------------------------------------


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * 100 / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _n(value: int) -> str:
    """12.345: Vietnamese groups thousands with dots."""
    return format_number(value)


def fmt_pct(value: Decimal | None) -> str:
    """12,5%: a decimal comma; "" when there is no value."""
    return "" if value is None else format_percent(value)


@dataclass
class IndicatorResult:
    number: str
    code: str
    name: str
    unit: str
    target: Decimal | None = None
    target_label: str = ""
    value: Decimal | None = None
    value_label: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def met_label(self) -> str:
        return {True: "Đạt", False: "Chưa đạt", None: "—"}[self.met]


def _target(code: str, year: int) -> IndicatorTarget | None:
    return IndicatorTarget.objects.filter(indicator=code, year=year).first()


def _finish(result: IndicatorResult, year: int, *, higher_is_better=True) -> IndicatorResult:
    target = _target(result.code, year)
    if target is None:
        result.notes.append(f"Kế hoạch không đặt chỉ tiêu cho năm {year}.")
    else:
        result.target, result.target_label = target.value, target.label
        if result.value is not None and result.met is None:
            result.met = (
                result.value >= target.value if higher_is_better else result.value <= target.value
            )
    if result.value is None:
        result.value_label = result.value_label or "Chưa có số liệu"
    elif not result.value_label:
        result.value_label = fmt_pct(result.value)
    return result


def indicator_urban_rural(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "1",
        "urban_rural",
        "Giảm tỷ lệ mất cân đối thụ hưởng báo chí giữa thành thị và nông thôn, miền núi, "
        "vùng sâu, vùng xa (tỷ lệ thành thị/nông thôn)",
        "Lượng phát hành báo in + số IP truy cập báo điện tử",
    )
    circulation = PrintCirculation.objects.filter(issue_date__year=year)
    if agency is not None:
        circulation = circulation.filter(agency=agency)
    printed = Counter()
    for kind, copies in circulation.values_list("place__kind", "copies"):
        printed["urban" if kind == PlaceKind.WARD else "rural"] += copies
    online = place_classes(audience(year=year, agency=agency, dimension=Dimension.PLACE))
    urban = printed["urban"] + online["urban"]
    rural = printed["rural"] + online["rural"]
    if not circulation.exists():
        r.notes.append("Chưa nhập số liệu phát hành báo in theo xã/phường.")
    else:
        r.notes.append(
            f"Báo in: {_n(printed['urban'])} bản thành thị, {_n(printed['rural'])} bản nông thôn."
        )
    if urban + rural == 0:
        r.notes.append("Chưa có truy cập được xác định địa bàn.")
    else:
        r.value = _pct(Decimal(urban), Decimal(urban + rural))
        r.value_label = f"{fmt_pct(r.value)}/{fmt_pct(Decimal(100) - r.value)}"
    r.notes.append(
        f"Truy cập (lượt người/ngày): {_n(online['urban'])} thành thị, {_n(online['rural'])} "
        f"nông thôn (miền núi {_n(online['mountainous'])}, vùng sâu vùng xa {_n(online['remote'])}, "
        f"biên giới {_n(online['border'])}); ngoài tỉnh {_n(online['elsewhere'])}, "
        f"chưa xác định địa bàn {_n(online['unknown'])} (không tính vào tỷ lệ)."
    )
    # The target is the urban share: a lower urban share is a smaller imbalance.
    return _finish(r, year, higher_is_better=False)


def _remote_places():
    return Place.objects.filter(Q(is_remote=True) | Q(is_border=True))


def indicator_remote_reach(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "2",
        "remote_reach",
        "Tỷ lệ người dân vùng sâu, vùng xa, biên giới được tiếp cận ít nhất 1 loại hình "
        "báo chí thiết yếu",
        "Số người tiếp cận / tổng số dân vùng",
    )
    places = list(_remote_places().values_list("pk", flat=True))
    population = dict(
        Population.objects.filter(year=year, place_id__in=places).values_list("place_id", "people")
    )
    reach_rows = Reach.objects.filter(year=year, place_id__in=places)
    if agency is not None:
        reach_rows = reach_rows.filter(agency=agency)
    reached: dict[int, int] = {}
    province_rows = {}
    for place_id, agency_id, people in reach_rows.values_list("place_id", "agency_id", "people"):
        if agency_id is None:
            province_rows[place_id] = people
        else:
            # Without a province figure, the best-reaching agency is a lower bound.
            reached[place_id] = max(reached.get(place_id, 0), people)
    reached.update(province_rows)
    if not places:
        r.notes.append("Chưa có xã nào được đánh dấu vùng sâu, vùng xa hoặc biên giới.")
    elif not population:
        r.notes.append(f"Chưa nhập dân số năm {year} của các xã vùng sâu, vùng xa, biên giới.")
    elif not reached:
        r.notes.append(f"Chưa nhập số người được tiếp cận năm {year}.")
    else:
        missing = len(places) - len(population)
        if missing:
            r.notes.append(f"{missing}/{len(places)} xã chưa có số dân: không tính.")
        total = sum(population.values())
        covered = sum(min(reached.get(pid, 0), people) for pid, people in population.items())
        r.value = _pct(Decimal(covered), Decimal(total))
        r.notes.append(f"{_n(covered)}/{_n(total)} người.")
    return _finish(r, year)


def indicator_political_growth(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "3",
        "political_growth",
        "Tỷ lệ tăng hằng năm số tin, bài mới phục vụ nhiệm vụ chính trị, bảo vệ Tổ quốc, "
        "thông tin thiết yếu",
        "Số tin, bài năm nay so với năm trước",
    )
    current = flagged_count(year=year, agency=agency)
    previous = flagged_count(year=year - 1, agency=agency)
    r.notes.append(f"Năm {year}: {current} tin, bài; năm {year - 1}: {previous} tin, bài.")
    if current == 0 and previous == 0:
        r.notes[-1] = f"Chưa có tin, bài được đánh dấu năm {year} và {year - 1}."
    elif previous == 0:
        r.notes.append(f"Năm {year - 1} chưa có tin, bài trong hệ thống để so sánh.")
    else:
        r.value = growth(current, previous)
        r.value_label = ("+" if r.value >= 0 else "") + fmt_pct(r.value)
    return _finish(r, year)


def indicator_political_growth_2020(*, year: int, agency: Agency | None = None):
    r = IndicatorResult(
        "3b",
        "political_growth_2020",
        "Số tin, bài phục vụ nhiệm vụ chính trị so với năm 2020",
        "Số tin, bài năm nay so với năm 2020",
    )
    current = flagged_count(year=year, agency=agency)
    base = flagged_count(year=BASE_YEAR, agency=agency)
    if base == 0:
        r.notes.append("Năm 2020 chưa có tin, bài trong hệ thống (cần nhập số liệu gốc).")
    else:
        r.value = growth(current, base)
        r.value_label = ("+" if r.value >= 0 else "") + fmt_pct(r.value)
    return _finish(r, year)


def _statuses(year: int, agencies: list[Agency]) -> dict[int, dict]:
    rows = {s.agency_id: s for s in AgencyYearStatus.objects.filter(year=year, agency__in=agencies)}
    commissioned = set(
        Commission.objects.filter(year=year, agency__in=agencies).values_list(
            "agency_id", flat=True
        )
    )
    result = {}
    for a in agencies:
        s = rows.get(a.pk)
        if s is None and a.pk not in commissioned:
            continue
        result[a.pk] = {
            "autonomy": bool(s and (s.autonomous or s.state_commissioned)) or a.pk in commissioned,
            "converged": bool(s and s.converged and s.converged_evidence.strip()),
            "has_status": s is not None,
        }
    return result


def _share_indicator(r: IndicatorResult, key: str, year: int, agency: Agency | None):
    agencies = [agency] if agency else agencies_of_year(year)
    statuses = _statuses(year, agencies)
    if key == "converged":
        statuses = {k: v for k, v in statuses.items() if v["has_status"]}
    missing = [a.name for a in agencies if a.pk not in statuses]
    if not agencies:
        r.notes.append(f"Không có cơ quan báo chí nào hoạt động năm {year}.")
    elif missing:
        r.notes.append("Chưa nhập tình trạng năm " + str(year) + ": " + ", ".join(missing) + ".")
    else:
        yes = sum(1 for s in statuses.values() if s[key])
        r.value = _pct(Decimal(yes), Decimal(len(agencies)))
        r.value_label = f"{fmt_pct(r.value)} ({yes}/{len(agencies)} cơ quan)"
    if agency is not None and r.value is not None:
        r.value_label = "Có" if r.value == 100 else "Chưa"
        r.notes.append("Chỉ tiêu tính trên toàn tỉnh; đây là phần của cơ quan.")
        _finish(r, year)
        r.met = None
        return r
    return _finish(r, year)


def indicator_autonomy(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "4",
        "autonomy_share",
        "Tỷ lệ cơ quan báo chí tự chủ; được Nhà nước đặt hàng, giao nhiệm vụ thực hiện "
        "nhiệm vụ chính trị và thông tin thiết yếu",
        "Cơ quan báo chí",
    )
    return _share_indicator(r, "autonomy", year, agency)


def indicator_converged(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "5",
        "converged_share",
        "Tỷ lệ cơ quan báo chí hoàn thành chuyển đổi theo mô hình tòa soạn hội tụ",
        "Cơ quan báo chí",
    )
    return _share_indicator(r, "converged", year, agency)


def indicator_revenue(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "6",
        "revenue_growth",
        "Tối ưu hóa nguồn thu: tăng doanh thu trên các nền tảng số",
        "Doanh thu năm nay so với năm trước (đồng)",
    )
    current = digital_revenue(year=year, agency=agency)
    previous = digital_revenue(year=year - 1, agency=agency)
    if not current["ledger_available"]:
        r.notes.append(
            "Chưa có dữ liệu sổ doanh thu tường phí (no paywall ledger data): "
            "chỉ tính doanh thu nhập tay."
        )
    has_now = current["entered_rows"] or current["ledger_rows"]
    had_before = previous["entered_rows"] or previous["ledger_rows"]
    if not has_now:
        r.notes.append(f"Chưa có số liệu doanh thu năm {year}.")
    elif not had_before or not previous["total"]:
        r.notes.append(f"Chưa có số liệu doanh thu năm {year - 1} để so sánh.")
    else:
        r.value = growth(current["total"], previous["total"])
        r.value_label = ("+" if r.value >= 0 else "") + fmt_pct(r.value)
    if has_now:
        r.notes.append(
            f"Năm {year}: {_n(current['total'])} đồng; năm {year - 1}: {_n(previous['total'])} đồng."
        )
    if agency is None:
        r.notes.append("Kế hoạch áp dụng cho Báo Thanh Hóa và Đài PT-TH tỉnh.")
    return _finish(r, year)


def _staff(agencies) -> set[tuple[int, int]]:
    """(agency id, user id) of everyone holding a newsroom role (not admin) in `agencies`."""
    return set(
        AgencyRole.objects.filter(agency__in=agencies)
        .exclude(role="admin")
        .exclude(group__user=None)
        .values_list("agency_id", "group__user")
    )


def staff_of(agency: Agency) -> set[int]:
    return {user_id for _, user_id in _staff([agency])}


def indicator_training(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "7",
        "training_share",
        "Tỷ lệ lãnh đạo, phóng viên, biên tập viên được đào tạo, bồi dưỡng về chuyển đổi số "
        "báo chí",
        "Người",
    )
    agencies = [agency] if agency else agencies_of_year(year)
    staff = _staff(agencies)
    records = TrainingRecord.objects.filter(
        agency__in=agencies, completed_on__lte=datetime.date(year, 12, 31)
    )
    trained = set(records.values_list("agency_id", "person_id")) & staff
    if not staff:
        r.notes.append("Cơ quan chưa có tài khoản cán bộ.")
    elif not records.exists():
        r.notes.append(f"Chưa nhập hồ sơ đào tạo đến hết năm {year}.")
    else:
        r.value = _pct(Decimal(len(trained)), Decimal(len(staff)))
        r.value_label = f"{fmt_pct(r.value)} ({len(trained)}/{len(staff)} người)"
        r.notes.append("Tính trên cán bộ có tài khoản hiện nay.")
    return _finish(r, year)


def indicator_maturity(*, year: int, agency: Agency | None = None) -> IndicatorResult:
    r = IndicatorResult(
        "8",
        "maturity_index",
        "Tự đánh giá mức độ chuyển đổi số báo chí (5 trụ cột, 100 điểm)",
        "Điểm",
    )
    agencies = [agency] if agency else agencies_of_year(year)
    rows = list(MaturityAssessment.objects.filter(year=year, agency__in=agencies))
    if not rows:
        r.notes.append(f"Chưa có bản tự đánh giá năm {year}.")
    else:
        average = Decimal(sum(a.total for a in rows)) / len(rows)
        r.value = average.quantize(Decimal("0.1"))
        r.value_label = f"{str(r.value).replace('.', ',')}/100"
        if agency is None:
            r.notes.append(f"Trung bình {len(rows)}/{len(agencies)} cơ quan.")
        else:
            a = rows[0]
            r.notes.append(
                "; ".join(
                    f"{label}: {getattr(a, name)}/{maximum}"
                    for name, label, maximum in MATURITY_PILLARS
                )
            )
    return _finish(r, year)


INDICATORS = [
    indicator_urban_rural,
    indicator_remote_reach,
    indicator_political_growth,
    indicator_political_growth_2020,
    indicator_autonomy,
    indicator_converged,
    indicator_revenue,
    indicator_training,
    indicator_maturity,
]


@dataclass
class YearReport:
    year: int
    agency: Agency | None
    results: list[IndicatorResult]

    @property
    def scope(self) -> str:
        return self.agency.name if self.agency else "Toàn tỉnh Thanh Hóa"

    @property
    def has_data(self) -> bool:
        return any(r.value is not None for r in self.results)


def year_report(*, year: int, agency: Agency | None = None) -> YearReport:
    return YearReport(year, agency, [f(year=year, agency=agency) for f in INDICATORS])
