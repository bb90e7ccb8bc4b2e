"""Reads: the month's grading sheet, statements per person, totals against the fund."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from newsroom.models import Agency

from .models import Adjustment, Frame, Grade, GradeStatus, RoyaltyMonth, Share, dong
from .services import month_works, split


@dataclass
class Line:
    """One row of a statement: a person's part of a grade, or of a dated adjustment."""

    person_key: str
    person: str
    user_id: int | None
    story: str
    story_id: int
    published: datetime.datetime
    genre: str
    role: str
    coefficient: Decimal
    extra_percent: Decimal
    percent: Decimal
    amount: Decimal
    kind: str = "Nhuận bút"
    note: str = ""


@dataclass
class PersonTotal:
    person_key: str
    person: str
    user_id: int | None
    lines: list = field(default_factory=list)
    gross: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax


@dataclass
class Statement:
    agency: Agency
    month: datetime.date
    people: list
    frame: Frame

    @property
    def gross(self) -> Decimal:
        return sum((p.gross for p in self.people), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((p.tax for p in self.people), Decimal(0))

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax

    @property
    def lines(self) -> list:
        return [line for p in self.people for line in p.lines]


def _month_range(first_day: datetime.date) -> tuple[datetime.date, datetime.date]:
    nxt = (first_day + datetime.timedelta(days=32)).replace(day=1)
    return first_day, nxt


def statement(agency: Agency, first_day: datetime.date, *, person_key: str | None = None):
    """The month's approved lines of `agency`, plus adjustments dated in that month (of
    earlier, locked months), per person with tax withheld at the agency's rate."""
    frame = Frame.objects.get_or_create(agency=agency)[0]
    shares = (
        Share.objects.filter(
            grade__month__agency=agency,
            grade__month__month=first_day,
            grade__status=GradeStatus.APPROVED,
        )
        .select_related("user", "grade__story", "grade__genre")
        .order_by("grade__story__first_published_at", "grade__story_id", "grade__role", "pk")
    )
    lines = []
    for s in shares:
        g = s.grade
        lines.append(_line(s, g, s.percent, s.amount, g.genre.name, g.coefficient))
    start, end = _month_range(first_day)
    for adj in (
        Adjustment.objects.filter(grade__month__agency=agency, made_on__gte=start, made_on__lt=end)
        .select_related("grade__story", "genre")
        .prefetch_related("grade__shares__user")
    ):
        g = adj.grade
        g_shares = list(g.shares.all())
        for s, part in zip(g_shares, split(adj.delta, [x.percent for x in g_shares]), strict=True):
            line = _line(s, g, s.percent, part, adj.genre.name, adj.coefficient)
            line.kind = f"Điều chỉnh ngày {adj.made_on:%d/%m/%Y}"
            line.note = f"Tháng {g.month.month:%m/%Y}: {adj.reason}"
            lines.append(line)
    people: dict[str, PersonTotal] = {}
    for line in lines:
        if person_key and line.person_key != person_key:
            continue
        p = people.setdefault(
            line.person_key, PersonTotal(line.person_key, line.person, line.user_id)
        )
        p.lines.append(line)
        p.gross += line.amount
    for p in people.values():
        if frame.tax_rate and p.gross >= frame.tax_threshold:
            p.tax = dong(p.gross * frame.tax_rate / 100)
    ordered = sorted(people.values(), key=lambda p: p.person)
    return Statement(agency=agency, month=first_day, people=ordered, frame=frame)


def _line(share, grade, percent, amount, genre_name, coefficient) -> Line:
    return Line(
        person_key=share.person_key,
        person=share.person_name,
        user_id=share.user_id,
        story=grade.story.title,
        story_id=grade.story_id,
        published=grade.story.first_published_at,
        genre=genre_name,
        role=grade.get_role_display(),
        coefficient=coefficient,
        extra_percent=grade.extra_percent,
        percent=percent,
        amount=amount,
        note=f"Sử dụng lại của {grade.reused_from}" if grade.reused_from else "",
    )


def user_statement_agencies(user, first_day: datetime.date) -> list[Agency]:
    """Agencies where `user` has an approved share that month or an adjustment dated in it."""
    start, end = _month_range(first_day)
    ids = (
        Share.objects.filter(user=user)
        .filter(
            Q(grade__month__month=first_day, grade__status=GradeStatus.APPROVED)
            | Q(grade__adjustments__made_on__gte=start, grade__adjustments__made_on__lt=end)
        )
        .values_list("grade__month__agency_id", flat=True)
    )
    return list(Agency.objects.filter(pk__in=set(ids)).order_by("name"))


def user_latest_statement_month(user) -> datetime.date | None:
    """The last month in which `user` has an approved share (their latest statement)."""
    return (
        Share.objects.filter(user=user, grade__status=GradeStatus.APPROVED)
        .order_by("-grade__month__month")
        .values_list("grade__month__month", flat=True)
        .first()
    )


def sheet(agency: Agency, first_day: datetime.date) -> dict:
    """The grading screen's data: the month's published works (the counters' list) with
    their grades, graded works no longer published, totals against the fund."""
    month = RoyaltyMonth.objects.filter(agency=agency, month=first_day).first()
    works = month_works(agency, first_day)
    grades = defaultdict(list)
    if month is not None:
        for g in (
            month.grades.select_related("genre", "proposed_genre", "approved_by", "proposed_by")
            .prefetch_related("shares__user", "extras", "adjustments__genre")
            .order_by("role")
        ):
            grades[g.story_id].append(g)
    live_ids = {w["pk"] for w in works}
    gone = [g for sid, gs in grades.items() if sid not in live_ids for g in gs]
    approved = sum(
        (
            g.current_amount
            for gs in grades.values()
            for g in gs
            if g.status == GradeStatus.APPROVED
        ),
        Decimal(0),
    )
    proposed = sum(
        (g.amount for gs in grades.values() for g in gs if g.status == GradeStatus.PROPOSED),
        Decimal(0),
    )
    rows = [{"work": w, "grades": grades.get(w["pk"], [])} for w in works]
    return {
        "month": month,
        "rows": rows,
        "gone": gone,
        "works": len(works),
        "graded_works": sum(1 for r in rows if r["grades"]),
        "approved_total": approved,
        "proposed_total": proposed,
        "fund": month.fund if month else Frame.objects.get_or_create(agency=agency)[0].monthly_fund,
        "pending": sum(1 for gs in grades.values() for g in gs if g.status == GradeStatus.PROPOSED),
    }


def graded_output(agency: Agency, first_day: datetime.date) -> dict[str, int]:
    """Works graded in the month per writer (staff accounts by id): what the production
    counters count per byline author, from the graded side."""
    from .models import ContributorRole

    counts: dict[str, set] = defaultdict(set)
    for story_id, user_id in Share.objects.filter(
        grade__month__agency=agency,
        grade__month__month=first_day,
        grade__role=ContributorRole.WRITER,
        user__isnull=False,
    ).values_list("grade__story_id", "user_id"):
        counts[str(user_id)].add(story_id)
    return {k: len(v) for k, v in counts.items()}


def months_of(agency: Agency):
    return Grade.objects.filter(month__agency=agency).values_list("month__month", flat=True)
