"""Every change to royalties goes through here: each function checks who acts, refuses
bad input with a Vietnamese message (RoyaltyError) and saves all or nothing."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from newsroom.models import Agency, Role, StoryPage
from newsroom.selectors import user_roles

from . import defaults
from .models import (
    BASE_SALARIES,
    UNIT_SHARE_PERCENT,
    AccountingGroup,
    Adjustment,
    Extra,
    Frame,
    Genre,
    Grade,
    GradeStatus,
    MonthStatus,
    RoyaltyMonth,
    Share,
    UnitValue,
    dong,
)


def num(value: Decimal) -> str:
    """A coefficient or percentage as Vietnamese write it: 12, 2,5 (not 12.00)."""
    from analytics.templatetags.vn_numbers import format_number

    text = format_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


class RoyaltyError(Exception):
    """A refusal, with the message shown to the user (Vietnamese)."""


GRADERS = {Role.MANAGING_EDITOR, Role.EDITOR_IN_CHIEF}
APPROVERS = {Role.EDITOR_IN_CHIEF}
FRAME_MODELS = ("genre", "extra", "unitvalue", "frame")


# --- Setup --------------------------------------------------------------------------------


def agency_setup(*, agency: Agency, groups: dict | None = None) -> None:
    """The agency's default frame (if it has none), its accounting group, and the
    permissions of its role groups on the frame's snippets. Idempotent."""
    Frame.objects.get_or_create(agency=agency)
    if not UnitValue.objects.filter(agency=agency).exists():
        UnitValue.objects.bulk_create(
            UnitValue(
                agency=agency,
                effective_from=day,
                base_salary=salary,
                share_percent=UNIT_SHARE_PERCENT,
                basis=f"{basis} (lương cơ sở); Nghị định 18/2014/NĐ-CP (10%)",
            )
            for day, salary, basis in BASE_SALARIES
        )
    if not Genre.objects.filter(agency=agency).exists():
        Genre.objects.bulk_create(
            Genre(
                agency=agency,
                medium=medium,
                name=name,
                min_coefficient=low,
                max_coefficient=high,
                sort_order=order,
            )
            for order, (medium, name, low, high) in enumerate(defaults.GENRES)
        )
    if not Extra.objects.filter(agency=agency).exists():
        Extra.objects.bulk_create(
            Extra(agency=agency, name=name, percent=percent) for name, percent in defaults.EXTRAS
        )
    link = AccountingGroup.objects.filter(agency=agency).first()
    if link is None:
        group, _ = Group.objects.get_or_create(name=f"Kế toán — {agency.short_name or agency.name}")
        AccountingGroup.objects.create(agency=agency, group=group)
    else:
        group = link.group
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if groups:
        for role, actions in ((Role.EDITOR_IN_CHIEF, ("add", "change", "view")),):
            for model in FRAME_MODELS:
                for action in actions:
                    groups[role].permissions.add(
                        Permission.objects.get(
                            content_type__app_label="royalties", codename=f"{action}_{model}"
                        )
                    )
        for model in FRAME_MODELS:
            groups[Role.MANAGING_EDITOR].permissions.add(
                Permission.objects.get(
                    content_type__app_label="royalties", codename=f"view_{model}"
                )
            )


# --- Who may do what ------------------------------------------------------------------------


def is_accountant(user, agency) -> bool:
    return AccountingGroup.objects.filter(agency=agency, group__user=user).exists()


def can_grade(user, agency) -> bool:
    return bool(user_roles(user, agency) & GRADERS)


def can_approve(user, agency) -> bool:
    return bool(user_roles(user, agency) & APPROVERS)


def can_view_month(user, agency) -> bool:
    return (
        user.is_superuser or bool(user_roles(user, agency) & GRADERS) or is_accountant(user, agency)
    )


def _require(allowed: bool, message: str):
    if not allowed:
        raise RoyaltyError(message)


# --- Months and their works ---------------------------------------------------------------


def month_start(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError as exc:
        raise RoyaltyError("Tháng không hợp lệ.") from exc


def month_of(agency: Agency, first_day: datetime.date) -> RoyaltyMonth:
    month, _ = RoyaltyMonth.objects.get_or_create(
        agency=agency,
        month=first_day,
        defaults={"fund": Frame.objects.get_or_create(agency=agency)[0].monthly_fund},
    )
    return month


def month_works(agency: Agency, first_day: datetime.date) -> list[dict]:
    """The agency's works first published in that local month: exactly the stories the
    production counters count (analytics.selectors.stories), so both read one list."""
    from analytics.selectors import stories

    rows = stories(year=first_day.year, agency=agency)
    return sorted(
        (r for r in rows if timezone.localtime(r["first_published_at"]).month == first_day.month),
        key=lambda r: r["first_published_at"],
    )


def unit_value_on(agency: Agency, day: datetime.date) -> Decimal:
    row = UnitValue.objects.filter(agency=agency, effective_from__lte=day).first()
    if row is None:
        raise RoyaltyError(
            f"Chưa có giá trị đơn vị hệ số áp dụng cho ngày {day:%d/%m/%Y}: "
            "hãy khai báo trong Quy chế nhuận bút."
        )
    return row.value


def _decimal(value, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise RoyaltyError(f"{label} phải là một số.") from None
    if not number.is_finite():
        raise RoyaltyError(f"{label} phải là một số.")
    return number


def _check_genre(agency: Agency, genre: Genre | None, coefficient) -> Decimal:
    if genre is None or genre.agency_id != agency.pk or not genre.active:
        raise RoyaltyError("Thể loại không thuộc quy chế nhuận bút của cơ quan.")
    coefficient = _decimal(coefficient, "Hệ số")
    if not genre.min_coefficient <= coefficient <= genre.max_coefficient:
        raise RoyaltyError(
            f"Hệ số {num(coefficient)} nằm ngoài khung của thể loại “{genre.name}” "
            f"({num(genre.min_coefficient)}–{num(genre.max_coefficient)})."
        )
    if coefficient != coefficient.quantize(Decimal("0.01")):
        raise RoyaltyError("Hệ số chỉ lấy tối đa hai chữ số thập phân.")
    return coefficient


def _extra_percent(agency: Agency, extras) -> Decimal:
    total = Decimal(0)
    for extra in extras:
        if extra.agency_id != agency.pk or not extra.active:
            raise RoyaltyError("Hệ số tăng thêm không thuộc quy chế nhuận bút của cơ quan.")
        total += extra.percent
    if not -100 <= total <= 100:
        raise RoyaltyError("Tổng các hệ số tăng thêm phải trong khoảng −100% đến +100% nhuận bút.")
    return total


def amount_of(coefficient: Decimal, unit_value: Decimal, extra_percent: Decimal) -> Decimal:
    return max(dong(coefficient * unit_value * (100 + extra_percent) / 100), Decimal(0))


def split(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Each share's amount in whole đồng; the last share takes the rounding remainder, so
    the parts always add up to the total."""
    parts = [dong(total * p / 100) for p in percents[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _check_shares(agency: Agency, shares) -> list[tuple]:
    """shares: [(user or None, external name, percent)] → checked [(user, name, Decimal)]."""
    from newsroom.selectors import BYLINE_ROLES, agency_staff

    checked, seen = [], set()
    staff = None
    for user, name, percent in shares:
        name = (name or "").strip()
        if user is None and not name:
            continue
        if user is not None and name:
            raise RoyaltyError("Mỗi dòng chia chỉ ghi một người: tài khoản hoặc tên cộng tác viên.")
        percent = _decimal(percent, "Tỉ lệ chia")
        if percent <= 0:
            raise RoyaltyError("Tỉ lệ chia của mỗi người phải lớn hơn 0%.")
        if percent != percent.quantize(Decimal("0.01")):
            raise RoyaltyError("Tỉ lệ chia chỉ lấy tối đa hai chữ số thập phân.")
        if user is not None:
            if staff is None:
                staff = set(agency_staff(agency, BYLINE_ROLES).values_list("pk", flat=True))
            if user.pk not in staff:
                raise RoyaltyError(
                    f"{user.get_full_name() or user.get_username()} không phải phóng viên, biên tập "
                    "viên của cơ quan; người ngoài cơ quan hãy ghi tên cộng tác viên."
                )
        key = f"u{user.pk}" if user is not None else f"x:{name.casefold()}"
        if key in seen:
            raise RoyaltyError("Một người chỉ được ghi một lần trong phần chia.")
        seen.add(key)
        checked.append((user, name, percent))
    if not checked:
        raise RoyaltyError("Hãy ghi ít nhất một người hưởng nhuận bút.")
    total = sum((p for _, _, p in checked), Decimal(0))
    if total > 100:
        raise RoyaltyError(f"Tổng tỉ lệ chia là {num(total)}%, vượt quá 100%.")
    if total < 100:
        raise RoyaltyError(f"Tổng tỉ lệ chia là {num(total)}%, chưa đủ 100%.")
    return checked


def _save_shares(grade: Grade, shares: list[tuple]) -> None:
    grade.shares.all().delete()
    amounts = split(grade.amount, [p for _, _, p in shares])
    Share.objects.bulk_create(
        Share(grade=grade, user=user, external_name=name, percent=percent, amount=amount)
        for (user, name, percent), amount in zip(shares, amounts, strict=True)
    )


def _refuse_locked(month: RoyaltyMonth):
    if month.locked:
        raise RoyaltyError(
            f"Tháng {month.month:%m/%Y} đã khóa: mọi sửa đổi phải ghi thành điều chỉnh có ngày."
        )


# --- Grading --------------------------------------------------------------------------------


@transaction.atomic
def propose(
    *,
    user,
    agency: Agency,
    story_id: int,
    role: str,
    genre: Genre | None,
    coefficient,
    extras=(),
    shares,
    reused_from: str = "",
) -> Grade:
    """The managing editor's proposal for one contribution to one published work."""
    from .models import ContributorRole

    _require(
        can_grade(user, agency),
        "Chỉ thư ký tòa soạn, tổng biên tập của cơ quan được chấm nhuận bút.",
    )
    story = StoryPage.objects.filter(pk=story_id).first()
    if story is None or not story.live or story.first_published_at is None:
        raise RoyaltyError("Chỉ chấm nhuận bút cho tác phẩm đã đăng, phát.")
    local = timezone.localtime(story.first_published_at).date()
    first_day = local.replace(day=1)
    if story_id not in {w["pk"] for w in month_works(agency, first_day)}:
        raise RoyaltyError("Tác phẩm này không do cơ quan của bạn đăng, phát.")
    if role not in ContributorRole.values:
        raise RoyaltyError("Phần việc không hợp lệ.")
    month = RoyaltyMonth.objects.select_for_update().get(pk=month_of(agency, first_day).pk)
    _refuse_locked(month)
    coefficient = _check_genre(agency, genre, coefficient)
    extras = list(extras)
    extra_percent = _extra_percent(agency, extras)
    checked = _check_shares(agency, shares)
    grade = Grade.objects.filter(story=story, role=role).first()
    if grade is not None and grade.status == GradeStatus.APPROVED:
        raise RoyaltyError("Phần việc này đã được tổng biên tập duyệt; chỉ tổng biên tập sửa được.")
    unit = unit_value_on(agency, local)
    grade = grade or Grade(story=story, role=role, month=month)
    grade.genre = genre
    grade.coefficient = coefficient
    grade.extra_percent = extra_percent
    grade.reused_from = (reused_from or "").strip()[:200]
    grade.unit_value = unit
    grade.amount = amount_of(coefficient, unit, extra_percent)
    grade.proposed_by = user
    grade.proposed_at = timezone.now()
    grade.proposed_genre = genre
    grade.proposed_coefficient = coefficient
    grade.save()
    grade.extras.set(extras)
    _save_shares(grade, checked)
    return grade


def _locked_grade(grade_id: int) -> Grade:
    grade = Grade.objects.select_related("month", "month__agency").filter(pk=grade_id).first()
    if grade is None:
        raise RoyaltyError("Không tìm thấy dòng chấm nhuận bút.")
    RoyaltyMonth.objects.select_for_update().get(pk=grade.month_id)
    grade.month.refresh_from_db()
    return grade


@transaction.atomic
def approve(*, user, grade_id: int, genre: Genre | None = None, coefficient=None, reason=""):
    """The editor-in-chief approves a proposal as it is, or with another genre or
    coefficient and a reason."""
    grade = _locked_grade(grade_id)
    agency = grade.month.agency
    _require(can_approve(user, agency), "Chỉ tổng biên tập của cơ quan được duyệt nhuận bút.")
    _refuse_locked(grade.month)
    genre = genre or grade.genre
    coefficient = grade.coefficient if coefficient in (None, "") else coefficient
    coefficient = _check_genre(agency, genre, coefficient)
    changed = genre.pk != grade.genre_id or coefficient != grade.coefficient
    reason = (reason or "").strip()
    if changed and len(reason) < 5:
        raise RoyaltyError("Khi thay đổi thể loại hoặc hệ số, hãy ghi lý do (ít nhất 5 ký tự).")
    grade.genre = genre
    grade.coefficient = coefficient
    grade.amount = amount_of(coefficient, grade.unit_value, grade.extra_percent)
    grade.change_reason = reason if changed else grade.change_reason
    grade.status = GradeStatus.APPROVED
    grade.approved_by = user
    grade.approved_at = timezone.now()
    grade.save()
    shares = [(s.user, s.external_name, s.percent) for s in grade.shares.select_related("user")]
    _save_shares(grade, shares)
    return grade


@transaction.atomic
def withdraw(*, user, grade_id: int) -> None:
    """Removes a line of an open month (proposed, or approved before the lock)."""
    grade = _locked_grade(grade_id)
    agency = grade.month.agency
    _require(
        can_grade(user, agency),
        "Chỉ thư ký tòa soạn, tổng biên tập của cơ quan được xóa dòng chấm.",
    )
    _refuse_locked(grade.month)
    if grade.status == GradeStatus.APPROVED and not can_approve(user, agency):
        raise RoyaltyError("Dòng đã duyệt chỉ tổng biên tập xóa được.")
    grade.delete()


@transaction.atomic
def set_fund(*, user, month_id: int, fund) -> RoyaltyMonth:
    month = RoyaltyMonth.objects.select_for_update().get(pk=month_id)
    _require(can_approve(user, month.agency), "Chỉ tổng biên tập được đặt quỹ nhuận bút của tháng.")
    _refuse_locked(month)
    fund = _decimal(fund, "Quỹ nhuận bút")
    if fund < 0 or fund != dong(fund):
        raise RoyaltyError("Quỹ nhuận bút phải là số đồng không âm.")
    month.fund = fund
    month.save(update_fields=["fund"])
    return month


@transaction.atomic
def lock(*, user, month_id: int) -> RoyaltyMonth:
    month = RoyaltyMonth.objects.select_for_update().get(pk=month_id)
    _require(can_approve(user, month.agency), "Chỉ tổng biên tập được khóa tháng nhuận bút.")
    _refuse_locked(month)
    pending = month.grades.filter(status=GradeStatus.PROPOSED).count()
    if pending:
        raise RoyaltyError(
            f"Còn {pending} dòng chờ duyệt: hãy duyệt hoặc xóa trước khi khóa tháng."
        )
    if not month.grades.exists():
        raise RoyaltyError("Tháng chưa có dòng chấm nhuận bút nào để khóa.")
    month.status = MonthStatus.LOCKED
    month.locked_at = timezone.now()
    month.locked_by = user
    month.save(update_fields=["status", "locked_at", "locked_by"])
    return month


@transaction.atomic
def adjust(*, user, grade_id: int, genre: Genre | None, coefficient, reason: str) -> Adjustment:
    """A dated correction of a locked month's line, paid in the month of its date."""
    grade = _locked_grade(grade_id)
    agency = grade.month.agency
    _require(can_approve(user, agency), "Chỉ tổng biên tập được điều chỉnh nhuận bút đã khóa.")
    if not grade.month.locked:
        raise RoyaltyError("Tháng chưa khóa: hãy sửa trực tiếp khi duyệt.")
    coefficient = _check_genre(agency, genre, coefficient)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise RoyaltyError("Điều chỉnh phải ghi lý do (ít nhất 5 ký tự).")
    before = grade.current_amount
    after = amount_of(coefficient, grade.unit_value, grade.extra_percent)
    if after == before:
        raise RoyaltyError("Điều chỉnh không làm thay đổi số tiền.")
    return Adjustment.objects.create(
        grade=grade,
        made_on=timezone.localdate(),
        made_by=user,
        genre=genre,
        coefficient=coefficient,
        amount_before=before,
        amount_after=after,
        reason=reason,
    )
