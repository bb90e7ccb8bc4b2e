"""Writes of broadcasting: the schedule imported from CSV, role permissions."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from .models import Agency, AgencyRole, BroadcastSlot, Channel, Programme, Role

CSV_COLUMNS = ["kenh", "bat_dau", "ket_thuc", "chuong_trinh", "tieu_de", "mo_ta"]
CSV_TIME_FORMATS = ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
CSV_MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ScheduleImport:
    created: list[BroadcastSlot] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_time(value: str) -> datetime.datetime | None:
    value = (value or "").strip()
    for fmt in CSV_TIME_FORMATS:
        try:
            naive = datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive, timezone.get_current_timezone())
    return None


def schedule_import_csv(*, data: bytes, agencies) -> ScheduleImport:
    """Imports broadcast slots from CSV (columns: kenh, bat_dau, ket_thuc, chuong_trinh,
    tieu_de, mo_ta; local times "YYYY-MM-DD HH:MM"). All or nothing: one bad row, or one
    overlap with the file or the saved schedule, and nothing is imported; every problem is
    reported with its row number."""
    result = ScheduleImport()
    if len(data) > CSV_MAX_BYTES:
        result.errors.append("Tệp quá lớn (tối đa 2 MB).")
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("Tệp không phải văn bản UTF-8.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(
            "Thiếu cột: " + ", ".join(missing) + ". Cần các cột: " + ", ".join(CSV_COLUMNS) + "."
        )
        return result
    channels = {c.slug: c for c in Channel.objects.filter(outlet__agency__in=agencies)}
    programmes = {p.slug: p for p in Programme.objects.filter(channel__in=channels.values())}
    slots: list[tuple[int, BroadcastSlot]] = []
    row_errors: list[tuple[int, str]] = []  # reported in row order
    for row_no, row in enumerate(reader, start=2):
        problems = []
        channel = channels.get((row.get("kenh") or "").strip())
        if channel is None:
            problems.append(f"kênh «{row.get('kenh', '')}» không có hoặc không thuộc cơ quan")
        starts, ends = _parse_time(row.get("bat_dau")), _parse_time(row.get("ket_thuc"))
        if starts is None:
            problems.append(f"giờ bắt đầu «{row.get('bat_dau', '')}» không hợp lệ")
        if ends is None:
            problems.append(f"giờ kết thúc «{row.get('ket_thuc', '')}» không hợp lệ")
        if starts and ends and ends <= starts:
            problems.append("giờ kết thúc phải sau giờ bắt đầu")
        programme = None
        if slug := (row.get("chuong_trinh") or "").strip():
            programme = programmes.get(slug)
            if programme is None or (channel and programme.channel_id != channel.pk):
                problems.append(f"chương trình «{slug}» không có trên kênh này")
        title = (row.get("tieu_de") or "").strip()
        if not title and programme is None:
            problems.append("cần tiêu đề hoặc chương trình")
        if problems:
            row_errors.append((row_no, f"Dòng {row_no}: " + "; ".join(problems) + "."))
            continue
        slot = BroadcastSlot(
            channel=channel,
            programme=programme,
            title=title[:200],
            description=(row.get("mo_ta") or "").strip(),
            starts_at=starts,
            ends_at=ends,
        )
        if other_no := next((n for n, other in slots if _overlap(other, slot)), None):
            row_errors.append((row_no, f"Dòng {row_no}: trùng giờ với dòng {other_no}."))
        slots.append((row_no, slot))
    if not slots and not row_errors:
        result.errors.append("Tệp không có dòng dữ liệu nào.")
        return result
    with transaction.atomic():
        # The saved schedule is read once, under the lock of the channels: two imports at
        # once must not overlap.
        clashing = {n for n, _ in row_errors}
        fresh = [(n, slot) for n, slot in slots if n not in clashing]
        saved = _saved_slots_around([slot for _, slot in fresh])
        for row_no, slot in fresh:
            if clash := next((other for other in saved if _overlap(other, slot)), None):
                row_errors.append(
                    (row_no, f"Dòng {row_no}: trùng giờ với «{clash}» đã có trong lịch.")
                )
        if row_errors:
            result.errors = [message for _, message in sorted(row_errors, key=lambda e: e[0])]
            return result
        result.created = BroadcastSlot.objects.bulk_create([s for _, s in slots])
    return result


def _overlap(a: BroadcastSlot, b: BroadcastSlot) -> bool:
    return a.channel_id == b.channel_id and a.starts_at < b.ends_at and a.ends_at > b.starts_at


def _saved_slots_around(slots: list[BroadcastSlot]) -> list[BroadcastSlot]:
    """The saved slots of the given slots' channels within their time span (locks the
    channels' rows until the transaction ends)."""
    if not slots:
        return []
    channel_ids = {slot.channel_id for slot in slots}
    list(Channel.objects.select_for_update().filter(pk__in=channel_ids))
    return list(
        BroadcastSlot.objects.filter(
            channel_id__in=channel_ids,
            starts_at__lt=max(slot.ends_at for slot in slots),
            ends_at__gt=min(slot.starts_at for slot in slots),
        ).select_related("channel", "programme")
    )


# Who manages what of broadcasting in each agency; each role adds to the one before.
_RUNDOWN_EDIT = ["view_rundown", "add_rundown", "change_rundown"]
_SCHEDULE = [
    "delete_rundown",
    "view_broadcastslot",
    "add_broadcastslot",
    "change_broadcastslot",
    "delete_broadcastslot",
    "view_programme",
    "add_programme",
    "change_programme",
    "view_channel",
]
_CHANNELS = ["add_channel", "change_channel"]
BROADCAST_PERMISSIONS = {
    Role.REPORTER: ["view_rundown"],
    Role.DESK_EDITOR: _RUNDOWN_EDIT,
    Role.MANAGING_EDITOR: _RUNDOWN_EDIT + _SCHEDULE,
    Role.EDITOR_IN_CHIEF: _RUNDOWN_EDIT + _SCHEDULE + _CHANNELS,
    Role.ADMIN: _RUNDOWN_EDIT + _SCHEDULE + _CHANNELS,
}


def broadcast_setup_permissions(*, agency: Agency) -> None:
    """Grants the agency's role groups their broadcasting permissions (idempotent)."""
    for link in AgencyRole.objects.filter(agency=agency).select_related("group"):
        codenames = BROADCAST_PERMISSIONS.get(link.role, [])
        perms = Permission.objects.filter(
            content_type__app_label="newsroom", codename__in=codenames
        )
        link.group.permissions.add(*perms)
