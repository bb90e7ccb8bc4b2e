"""Writes of the analytics app: accepting and storing events, rollups, imports, the
hand-entered facts and the department portal's exchanges."""

import csv
import datetime
import io
import ipaddress
import json
import logging
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from newsroom.models import Place, StoryByline

from . import buffer
from .collect import ip_key
from .models import (
    PLACE_ELSEWHERE,
    DailySalt,
    Dimension,
    Event,
    EventKind,
    Granularity,
    GuidanceDocument,
    GuidanceReceipt,
    IpRange,
    PendingRollup,
    ReportStatus,
    Rollup,
    YearlyReport,
)

logger = logging.getLogger(__name__)

EVENT_FIELDS = [f.name for f in Event._meta.concrete_fields if f.name != "id"]


# --- Events -------------------------------------------------------------------------------


def event_accept(*, event: dict) -> None:
    """Keeps an accepted event: on the Redis buffer (a writer empties it in batches) or,
    without Redis, straight into the database."""
    if buffer.enabled():
        event_queued(buffer.push(json.dumps(event)))
    else:
        events_write(rows=[event])


def event_queued(size: int) -> None:
    """An event was pushed on the Redis buffer, which now holds `size`: every full batch
    asks a worker to write it."""
    if flush_due(size):
        flush_request()


def flush_due(size: int) -> bool:
    """Whether a buffer now holding `size` events has just filled a batch."""
    from django.conf import settings

    return size % settings.ANALYTICS_BATCH_SIZE == 0


def flush_request() -> None:
    """Asks a worker to write a batch now."""
    from . import tasks

    try:
        # No publish retry: the event is safe in Redis and beat's flush (every
        # 5 s) writes it anyway; a broker outage must not fail the beacon.
        tasks.events_flush.apply_async(retry=False)
    except Exception:
        logger.warning("Could not queue an analytics flush; beat's flush will")


def _event(row: dict) -> Event:
    values = {name: row.get(name) for name in EVENT_FIELDS}
    if isinstance(values["occurred_at"], str):
        values["occurred_at"] = parse_datetime(values["occurred_at"])
    values["section_id"] = values["section_id"] or None
    values["story_format"] = values["story_format"] or ""
    values["media"] = values["media"] or ""
    values["seconds"] = values["seconds"] or 0
    return Event(**values)


def hour_bucket(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def day_bucket(moment: datetime.datetime) -> datetime.datetime:
    """Midnight of the local (Asia/Ho_Chi_Minh) day, as an aware datetime."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def events_write(*, rows: list[dict]) -> int:
    """Stores events (a repeated event id is ignored) and marks their hours and days for
    the rollups. Returns how many rows were given."""
    if not rows:
        return 0
    events = [_event(row) for row in rows]
    now = timezone.now()
    pending = {(Granularity.HOUR, hour_bucket(e.occurred_at)) for e in events}
    pending |= {(Granularity.DAY, day_bucket(e.occurred_at)) for e in events}
    with transaction.atomic():
        Event.objects.bulk_create(events, ignore_conflicts=True, batch_size=1000)
        PendingRollup.objects.bulk_create(
            [PendingRollup(granularity=g, bucket=b, marked_at=now) for g, b in pending],
            update_conflicts=True,
            unique_fields=["granularity", "bucket"],
            update_fields=["marked_at"],
        )
        if not buffer.enabled():
            # Direct writes (`make run`): recount at once so the dashboards move. With the
            # Redis buffer, beat recounts every minute instead of after every batch: a
            # busy day's recount takes seconds.
            transaction.on_commit(_queue_rollups)
    return len(events)


def _queue_rollups():
    from . import tasks

    tasks.rollups_refresh.delay()


def events_flush(*, batch_size: int | None = None, max_batches: int = 1000) -> int:
    """Moves buffered events into the database, batch by batch. A batch leaves Redis only
    after its rows are committed; on any error it goes back on the queue."""
    from django.conf import settings

    if not buffer.enabled():
        return 0
    batch_size = batch_size or settings.ANALYTICS_BATCH_SIZE
    buffer.recover_stale()
    written = 0
    for _ in range(max_batches):
        key, items = buffer.take(batch_size)
        if not items:
            break
        try:
            rows = []
            for item in items:
                try:
                    rows.append(json.loads(item))
                except ValueError:
                    # Only this module writes the queue; a broken item is a bug, not data.
                    logger.error("Dropping unreadable buffered event: %r", item[:200])
            written += events_write(rows=rows)
        except Exception:
            buffer.give_back(key)
            logger.exception("Event batch write failed; %d events re-queued", len(items))
            raise
        buffer.done(key)
    return written


# --- Rollups ------------------------------------------------------------------------------

METRICS = [
    "pageviews",
    "engaged_seconds",
    "media_plays",
    "media_seconds",
    "paywall_impressions",
    "paywall_conversions",
    "newsletter_opens",
    "newsletter_clicks",
    "push_sent",
    "push_delivered",
    "push_failed",
    "push_expired",
    "push_clicks",
]
# Event kind -> the rollup metric it counts one of (the push app's events).
COUNTED_KINDS = {
    EventKind.PUSH_SENT: "push_sent",
    EventKind.PUSH_DELIVERED: "push_delivered",
    EventKind.PUSH_FAILED: "push_failed",
    EventKind.PUSH_EXPIRED: "push_expired",
    EventKind.PUSH_CLICK: "push_clicks",
}


def _keys(event: dict, authors: dict[int, list[int]]):
    yield Dimension.TOTAL, "all"
    if event["story_format"]:
        yield Dimension.STORY, str(event["page_id"])
        yield Dimension.FORMAT, event["story_format"]
        for author_id in authors.get(event["page_id"], ()):
            yield Dimension.AUTHOR, str(author_id)
    if event["section_id"]:
        yield Dimension.SECTION, str(event["section_id"])
    code = event["place_code"]
    yield Dimension.PLACE, "unknown" if code is None else str(code)
    yield Dimension.CHANNEL, event["channel"]
    yield Dimension.PLATFORM, event["platform"]


def aggregate(events: list[dict], authors: dict[int, list[int]]) -> dict:
    """Counts per (site, dimension, key): the one counting rule shared by rollups."""
    counts: dict = defaultdict(lambda: {"visitors": set(), **dict.fromkeys(METRICS, 0)})
    for event in events:
        kind = event["kind"]
        for dimension, key in _keys(event, authors):
            c = counts[(event["site_id"], dimension, key)]
            if kind == EventKind.PAGEVIEW:
                c["pageviews"] += 1
                c["visitors"].add(event["visitor"])
            elif kind == EventKind.HEARTBEAT:
                c["engaged_seconds"] += event["seconds"]
            elif kind == EventKind.MEDIA_PLAY:
                c["media_plays"] += 1
            elif kind == EventKind.MEDIA_PROGRESS:
                c["media_seconds"] += event["seconds"]
            elif kind == EventKind.PAYWALL_IMPRESSION:
                c["paywall_impressions"] += 1
            elif kind == EventKind.PAYWALL_CONVERSION:
                c["paywall_conversions"] += 1
            elif kind == EventKind.NEWSLETTER_OPEN:
                c["newsletter_opens"] += 1
            elif kind == EventKind.NEWSLETTER_CLICK:
                c["newsletter_clicks"] += 1
            elif kind in COUNTED_KINDS:
                c[COUNTED_KINDS[kind]] += 1
    return counts


def _span(granularity: str, bucket: datetime.datetime) -> datetime.datetime:
    if granularity == Granularity.HOUR:
        return bucket + datetime.timedelta(hours=1)
    local = timezone.localtime(bucket)
    next_day = (local + datetime.timedelta(days=1)).date()
    return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time()))


def rollup_compute(*, granularity: str, bucket: datetime.datetime) -> int:
    """Recounts one hour or day from the raw events, replacing what was there."""
    events = list(
        Event.objects.filter(
            occurred_at__gte=bucket, occurred_at__lt=_span(granularity, bucket)
        ).values(
            "kind",
            "site_id",
            "page_id",
            "section_id",
            "story_format",
            "visitor",
            "place_code",
            "channel",
            "platform",
            "seconds",
        )
    )
    story_ids = {e["page_id"] for e in events if e["story_format"]}
    authors: dict[int, list[int]] = defaultdict(list)
    for story_id, author_id in StoryByline.objects.filter(story_id__in=story_ids).values_list(
        "story_id", "author_id"
    ):
        authors[story_id].append(author_id)
    counts = aggregate(events, authors)
    rows = [
        Rollup(
            granularity=granularity,
            bucket=bucket,
            site_id=site_id,
            dimension=dimension,
            key=key,
            visitors=len(c["visitors"]),
            **{m: c[m] for m in METRICS},
        )
        for (site_id, dimension, key), c in counts.items()
    ]
    with transaction.atomic():
        Rollup.objects.filter(granularity=granularity, bucket=bucket).delete()
        Rollup.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def rollups_refresh(*, limit: int = 500) -> int:
    """Recounts every bucket marked since its last count. A bucket marked again while it
    is being counted keeps its mark (the newer `marked_at`) and is counted again."""
    done = 0
    for pending_id in list(
        PendingRollup.objects.order_by("bucket").values_list("pk", flat=True)[:limit]
    ):
        with transaction.atomic():
            pending = (
                PendingRollup.objects.select_for_update(skip_locked=True)
                .filter(pk=pending_id)
                .first()
            )
            if pending is None:
                continue
            rollup_compute(granularity=pending.granularity, bucket=pending.bucket)
            PendingRollup.objects.filter(pk=pending.pk, marked_at=pending.marked_at).delete()
            done += 1
    return done


# --- Salts --------------------------------------------------------------------------------


def salts_purge(*, today: datetime.date | None = None) -> int:
    """Destroys the salts older than yesterday: after that, no hash of those days can be
    linked to an address again."""
    today = today or timezone.localdate()
    deleted, _ = DailySalt.objects.filter(day__lt=today - datetime.timedelta(days=1)).delete()
    from . import collect

    for day in [d for d in collect._salts if d < today - datetime.timedelta(days=1)]:
        del collect._salts[day]
    return deleted


# --- IP ranges ----------------------------------------------------------------------------


class ImportRejected(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def ip_ranges_import(*, text: str, replace: bool = True) -> int:
    """Imports `cidr,commune_code` rows (header optional; code 0 = outside Thanh Hóa).
    A file with any bad row imports nothing and names every bad row."""
    known = set(Place.objects.values_list("code", flat=True)) | {PLACE_ELSEWHERE}
    errors: list[str] = []
    parsed = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for number, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if number == 1 and row[0].strip().lower() in {"cidr", "network", "dai_ip"}:
            continue
        if len(row) != 2:
            errors.append(f"row {number}: expected 2 columns (cidr, commune_code), got {len(row)}")
            continue
        cidr, code = row[0].strip(), row[1].strip()
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            errors.append(f"row {number}: '{cidr}' is not a valid network (CIDR)")
            continue
        try:
            code_int = int(code)
        except ValueError:
            errors.append(f"row {number}: commune code '{code}' is not a number")
            continue
        if code_int < 0:
            errors.append(f"row {number}: commune code {code_int} is negative")
            continue
        if code_int not in known:
            errors.append(f"row {number}: commune code {code_int} is not a commune of Thanh Hóa")
            continue
        parsed.append((number, network, code_int))
    ordered = sorted(parsed, key=lambda r: (r[1].version, int(r[1].network_address)))
    for (n1, a, _), (n2, b, _) in zip(ordered, ordered[1:], strict=False):
        if a.version == b.version and a.overlaps(b):
            errors.append(f"row {n2}: {b} overlaps {a} of row {n1}")
    if not parsed and not errors:
        errors.append("the file has no rows")
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        if replace:
            IpRange.objects.all().delete()
        IpRange.objects.bulk_create(
            [
                IpRange(
                    network=str(net),
                    version=net.version,
                    first=ip_key(net.network_address),
                    last=ip_key(net.broadcast_address),
                    place_code=code,
                )
                for _, net, code in parsed
            ]
        )
    _bump_ip_table()
    # Again after an outer transaction commits: a process may have reloaded in between.
    transaction.on_commit(_bump_ip_table)
    return len(parsed)


def _bump_ip_table():
    from . import collect

    cache.set("analytics:ipranges:version", timezone.now().isoformat(), None)
    collect._memo.pop("ipranges:version", None)  # this process sees it at once


# --- Permissions --------------------------------------------------------------------------

HAND_ENTERED = [
    "printcirculation",
    "population",
    "reach",
    "agencyyearstatus",
    "platformrevenue",
    "trainingrecord",
    "maturityassessment",
]


def analytics_grant_permissions() -> None:
    """Lets each agency's leaders (editor-in-chief, managing editor, admin) enter the
    indicator data of their agency, and the department officer view everything. Run after
    agencies are set up (the demo does; `manage.py analytics_grant_permissions`)."""
    from django.contrib.auth.models import Permission

    from newsroom.models import AgencyRole
    from newsroom.services import department_officer_group

    perms = Permission.objects.filter(content_type__app_label="analytics")
    enter = [p for p in perms if p.content_type.model in HAND_ENTERED] + [
        p for p in perms if p.codename == "view_indicatortarget"
    ]
    views = [p for p in perms if p.codename.startswith("view_")]
    for role in AgencyRole.objects.filter(
        role__in=["editor_in_chief", "managing_editor", "admin"]
    ).select_related("group"):
        role.group.permissions.add(*enter)
    department_officer_group().permissions.add(*views)


# --- Department portal --------------------------------------------------------------------


def guidance_mark_read(*, document: GuidanceDocument, user, agency) -> GuidanceReceipt:
    receipt, _ = GuidanceReceipt.objects.get_or_create(
        document=document, agency=agency, defaults={"reader": user}
    )
    return receipt


def yearly_report_submit(*, agency, year: int, user) -> YearlyReport:
    """Freezes the agency's XLSX report for `year` and sends it up to the department."""
    from django.core.files.base import ContentFile

    from .reports import export_bytes

    content = export_bytes(year=year, agency=agency, fmt="xlsx")
    report, _ = YearlyReport.objects.get_or_create(agency=agency, year=year)
    report.file.save(f"bao-cao-{agency.slug}-{year}.xlsx", ContentFile(content), save=False)
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.save()
    return report


def yearly_report_review(*, report: YearlyReport, status: str, note: str = "") -> YearlyReport:
    if status not in (ReportStatus.RECEIVED, ReportStatus.RETURNED):
        raise ValueError(f"unknown review status {status!r}")
    report.status = status
    report.officer_note = note
    report.save(update_fields=["status", "officer_note"])
    return report
