"""Demo royalties (load_initial_data): an accountant per agency (ketoan.<agency>), August
2026 graded, approved and locked, and this month's works proposed by the managing editor
except the latest one of each agency, left for someone trying the grading screen.
Idempotent: a line already there is left alone."""

import datetime
from decimal import Decimal

from django.utils import timezone

from newsroom.demo.loader import _user
from newsroom.models import Agency, AgencyRole, PrimaryFormat, Role

from . import services
from .models import AccountingGroup, ContributorRole, Frame, Genre, Grade, Medium

LOCKED_MONTH = datetime.date(2026, 8, 1)
DEMO_FUNDS = {"baothanhhoa": 30_000_000, "ptth": 25_000_000, "vannghe": 10_000_000}
ACCOUNTANT_NAMES = {
    "baothanhhoa": ("Thị Hoa", "Mai"),
    "ptth": ("Văn Bình", "Trịnh"),
    "vannghe": ("Thu Hà", "Đặng"),
}
# The genre the demo picks for a work of each format, and its coefficient.
PICK = {
    PrimaryFormat.TEXT: (Medium.PRESS, "Phóng sự, ký (một kỳ)", Decimal(12)),
    PrimaryFormat.LONGFORM: (Medium.PRESS, "Phóng sự, ký (một kỳ)", Decimal(20)),
    PrimaryFormat.MULTIMEDIA: (Medium.PRESS, "Trực tuyến, đa phương tiện", Decimal(25)),
    PrimaryFormat.RADIO: (Medium.RADIO, "Phóng sự, ký sự phát thanh", Decimal(10)),
    PrimaryFormat.TV: (Medium.TV, "Phóng sự truyền hình", Decimal(18)),
}


def _member(agency, role):
    return AgencyRole.objects.get(agency=agency, role=role).group.user_set.order_by("pk").first()


def _grade_month(agency, first_day, *, approve: bool, leave_last: bool) -> int:
    thuky = _member(agency, Role.MANAGING_EDITOR)
    tbt = _member(agency, Role.EDITOR_IN_CHIEF)
    works = services.month_works(agency, first_day)
    if leave_last:
        works = works[:-1]
    done = 0
    for work in works:
        if Grade.objects.filter(story_id=work["pk"], role=ContributorRole.WRITER).exists():
            continue
        medium, name, coefficient = PICK.get(work["primary_format"], PICK[PrimaryFormat.TEXT])
        genre = Genre.objects.get(agency=agency, medium=medium, name=name)
        authors = work["authors"] or [thuky.pk]
        from django.contrib.auth import get_user_model

        users = list(get_user_model().objects.filter(pk__in=authors))
        if work["pk"] % 5 == 0 or len(users) > 1:
            shares = [(users[0], "", "70"), (None, "Hoàng Lan", "30")]
        else:
            shares = [(users[0], "", "100")]
        grade = services.propose(
            user=thuky,
            agency=agency,
            story_id=work["pk"],
            role=ContributorRole.WRITER,
            genre=genre,
            coefficient=coefficient,
            shares=shares,
        )
        if approve:
            services.approve(user=tbt, grade_id=grade.pk)
        done += 1
    return done


def load(stdout=None) -> None:
    graded = 0
    for agency in Agency.objects.filter(merged_into__isnull=True):
        services.agency_setup(agency=agency)
        Frame.objects.filter(agency=agency, monthly_fund=0).update(
            monthly_fund=DEMO_FUNDS.get(agency.slug, 10_000_000)
        )
        first, last = ACCOUNTANT_NAMES.get(agency.slug, ("Kế", "Toán"))
        accountant = _user(f"ketoan.{agency.slug}", first, last)
        accountant.groups.add(AccountingGroup.objects.get(agency=agency).group)
        month = services.month_of(agency, LOCKED_MONTH)
        if not month.locked and timezone.localdate() > LOCKED_MONTH:
            graded += _grade_month(agency, LOCKED_MONTH, approve=True, leave_last=False)
            if month.grades.exists():
                services.lock(user=_member(agency, Role.EDITOR_IN_CHIEF), month_id=month.pk)
        this_month = timezone.localdate().replace(day=1)
        if this_month != LOCKED_MONTH:
            graded += _grade_month(agency, this_month, approve=False, leave_last=True)
    if stdout:
        stdout.write(f"Royalties: {graded} contributions graded.")
