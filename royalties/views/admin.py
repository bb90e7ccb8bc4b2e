"""Admin screens: the month's grading sheet (managing editor proposes, editor-in-chief
approves, locks, adjusts), each person's statement, and the exports for accounting."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from newsroom.forms import staff_label
from newsroom.models import Agency, PrimaryFormat, StoryByline
from newsroom.selectors import BYLINE_ROLES, agency_staff

from .. import reports, selectors, services
from ..models import ContributorRole, Extra, Genre, Grade, Medium, RoyaltyMonth
from ..services import RoyaltyError

SHARE_ROWS = 3
FORMATS = dict(PrimaryFormat.choices)
MONTH_NAMES = [f"Tháng {m}" for m in range(1, 13)]


def _month(request) -> datetime.date:
    """?thang=YYYY-MM, this month by default; a bad value says so and shows this month."""
    raw = request.GET.get("thang") or request.POST.get("thang") or ""
    this_month = timezone.localdate().replace(day=1)
    if not raw:
        return this_month
    try:
        year, month = (int(x) for x in raw.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError
        return datetime.date(year, month, 1)
    except ValueError:
        messages.error(request, "Tháng không hợp lệ (ghi dạng 2026-11): đang xem tháng này.")
        return this_month


def viewable_agencies(user) -> list[Agency]:
    return [a for a in Agency.objects.order_by("name") if services.can_view_month(user, a)]


def _agency(request) -> tuple[Agency, list[Agency]]:
    agencies = viewable_agencies(request.user)
    slug = request.GET.get("co-quan") or request.POST.get("co-quan") or ""
    if slug:
        agency = next((a for a in agencies if a.slug == slug), None)
        if agency is None:
            raise PermissionDenied("Bạn không xem được nhuận bút của cơ quan này.")
        return agency, agencies
    if not agencies:
        raise PermissionDenied("Tài khoản không có quyền xem nhuận bút của cơ quan nào.")
    return agencies[0], agencies


def _month_url(agency: Agency, first_day: datetime.date, anchor: str = "") -> str:
    query = urlencode({"co-quan": agency.slug, "thang": f"{first_day:%Y-%m}"})
    return f"{reverse('royalties_admin:month')}?{query}{anchor}"


def index(request):
    if viewable_agencies(request.user):
        return redirect("royalties_admin:month")
    return redirect("royalties_admin:mine")


def _months_around(first_day: datetime.date, *, back: int = 24) -> dict:
    """The months before and after, and the month chooser's list ("Tháng 11/2026", newest
    first: next month back to `back` months ago, the shown month always in it). A list
    of our own, not <input type="month">: the browser names the months in its own language
    ("November 2026" in an English Chromium)."""
    prev = (first_day - datetime.timedelta(days=1)).replace(day=1)
    nxt = (first_day + datetime.timedelta(days=32)).replace(day=1)
    day = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    choices = []
    for _ in range(back + 2):
        choices.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    if first_day not in choices:
        choices.append(first_day)
        choices.sort(reverse=True)
    return {"prev": prev, "next": nxt, "choices": choices}


def month(request):
    """Chấm nhuận bút: the month's published works and their grades."""
    agency, agencies = _agency(request)
    first_day = _month(request)
    data = selectors.sheet(agency, first_day)
    genres = list(Genre.objects.filter(agency=agency, active=True))
    bylines = {}
    for story_id, user_id in StoryByline.objects.filter(
        story_id__in=[r["work"]["pk"] for r in data["rows"]]
    ).values_list("story_id", "author_id"):
        bylines.setdefault(story_id, []).append(user_id)
    for row in data["rows"]:
        authors = bylines.get(row["work"]["pk"], [])
        row["share_rows"] = _default_shares(authors)
        row["format"] = FORMATS.get(row["work"]["primary_format"], "")
    locked = data["month"] is not None and data["month"].locked
    return render(
        request,
        "royalties/month.html",
        {
            "page_title": "Chấm nhuận bút",
            "agency": agency,
            "agencies": agencies,
            "first_day": first_day,
            "around": _months_around(first_day),
            **data,
            "locked": locked,
            "can_grade": services.can_grade(request.user, agency) and not locked,
            "can_approve": services.can_approve(request.user, agency),
            "genres_by_medium": [
                (label, [g for g in genres if g.medium == value]) for value, label in Medium.choices
            ],
            "extras": Extra.objects.filter(agency=agency, active=True),
            "roles": ContributorRole.choices,
            "staff": [(u.pk, staff_label(u)) for u in agency_staff(agency, BYLINE_ROLES)],
            "over_fund": data["fund"]
            and data["approved_total"] + data["proposed_total"] > data["fund"],
            "statement": selectors.statement(agency, first_day),
            "query": urlencode({"co-quan": agency.slug, "thang": f"{first_day:%Y-%m}"}),
        },
    )


def _default_shares(authors: list[int]) -> list[dict]:
    """The writer's share rows, filled from the byline (equal parts, the last one takes
    the rest), then empty rows up to SHARE_ROWS."""
    rows = []
    if authors:
        each = (Decimal(100) / len(authors)).quantize(Decimal("0.01"))
        for i, user_id in enumerate(authors):
            last = i == len(authors) - 1
            percent = Decimal(100) - each * i if last else each
            rows.append({"user": user_id, "percent": services.num(percent)})
    while len(rows) < max(SHARE_ROWS, len(authors)):
        rows.append({"user": None, "percent": ""})
    return rows


def _post_agency(request) -> Agency:
    agency, _ = _agency(request)
    return agency


def _shares_from(request) -> list[tuple]:
    User = get_user_model()
    shares = []
    for i in range(1, 11):
        user_id = request.POST.get(f"nguoi_{i}", "").strip()
        name = request.POST.get(f"ctv_{i}", "").strip()
        percent = request.POST.get(f"ti_le_{i}", "").strip()
        if not (user_id or name or percent):
            continue
        user = None
        if user_id:
            if not user_id.isdigit() or not (user := User.objects.filter(pk=user_id).first()):
                raise RoyaltyError("Người hưởng không hợp lệ.")
        if not user and not name:
            raise RoyaltyError("Dòng chia có tỉ lệ nhưng chưa ghi người hưởng.")
        shares.append((user, name, percent or "0"))
    return shares


def _genre(agency: Agency, raw) -> Genre | None:
    return Genre.objects.filter(pk=raw, agency=agency).first() if str(raw).isdigit() else None


def _done(request, agency, first_day, message, anchor=""):
    messages.success(request, message)
    return redirect(_month_url(agency, first_day, anchor))


def _refused(request, agency, first_day, error):
    messages.error(request, str(error))
    return redirect(_month_url(agency, first_day))


@require_POST
def propose(request):
    agency = _post_agency(request)
    first_day = _month(request)
    try:
        story_id = request.POST.get("tac_pham", "")
        if not story_id.isdigit():
            raise RoyaltyError("Tác phẩm không hợp lệ.")
        extra_ids = [x for x in request.POST.getlist("tang_them") if x]
        if not all(x.isdigit() for x in extra_ids):
            raise RoyaltyError("Hệ số tăng thêm không thuộc quy chế nhuận bút của cơ quan.")
        extras = list(Extra.objects.filter(pk__in=extra_ids))
        if len(extras) != len(set(extra_ids)):
            raise RoyaltyError("Hệ số tăng thêm không thuộc quy chế nhuận bút của cơ quan.")
        grade = services.propose(
            user=request.user,
            agency=agency,
            story_id=int(story_id),
            role=request.POST.get("phan_viec", ""),
            genre=_genre(agency, request.POST.get("the_loai", "")),
            coefficient=request.POST.get("he_so", ""),
            extras=extras,
            shares=_shares_from(request),
            reused_from=request.POST.get("su_dung_lai", ""),
        )
    except RoyaltyError as error:
        return _refused(request, agency, first_day, error)
    return _done(
        request,
        agency,
        first_day,
        f"Đã đề xuất: {grade.story.title} — {grade.get_role_display()}.",
        f"#tp-{grade.story_id}",
    )


def _grade_action(request, pk, action):
    grade = Grade.objects.select_related("month__agency").filter(pk=pk).first()
    if grade is None or not services.can_view_month(request.user, grade.month.agency):
        raise PermissionDenied("Dòng chấm nhuận bút này thuộc cơ quan khác.")
    agency, first_day = grade.month.agency, grade.month.month
    try:
        message = action(grade, agency)
    except RoyaltyError as error:
        return _refused(request, agency, first_day, error)
    return _done(request, agency, first_day, message, f"#tp-{grade.story_id}")


@require_POST
def approve(request, pk):
    def act(grade, agency):
        services.approve(
            user=request.user,
            grade_id=grade.pk,
            genre=_genre(agency, request.POST.get("the_loai", "")) or grade.genre,
            coefficient=request.POST.get("he_so", ""),
            reason=request.POST.get("ly_do", ""),
        )
        return f"Đã duyệt: {grade.story.title} — {grade.get_role_display()}."

    return _grade_action(request, pk, act)


@require_POST
def withdraw(request, pk):
    def act(grade, agency):
        services.withdraw(user=request.user, grade_id=grade.pk)
        return f"Đã xóa dòng: {grade.story.title} — {grade.get_role_display()}."

    return _grade_action(request, pk, act)


@require_POST
def adjust(request, pk):
    def act(grade, agency):
        adj = services.adjust(
            user=request.user,
            grade_id=grade.pk,
            genre=_genre(agency, request.POST.get("the_loai", "")),
            coefficient=request.POST.get("he_so", ""),
            reason=request.POST.get("ly_do", ""),
        )
        return f"Đã ghi điều chỉnh ngày {adj.made_on:%d/%m/%Y} cho {grade.story.title}."

    return _grade_action(request, pk, act)


def _month_action(request, pk, action):
    month = RoyaltyMonth.objects.select_related("agency").filter(pk=pk).first()
    if month is None or not services.can_view_month(request.user, month.agency):
        raise PermissionDenied("Tháng nhuận bút này thuộc cơ quan khác.")
    try:
        message = action(month)
    except RoyaltyError as error:
        return _refused(request, month.agency, month.month, error)
    return _done(request, month.agency, month.month, message)


@require_POST
def lock(request, pk):
    return _month_action(
        request,
        pk,
        lambda m: (
            services.lock(user=request.user, month_id=m.pk) and f"Đã khóa tháng {m.month:%m/%Y}."
        ),
    )


@require_POST
def fund(request, pk):
    return _month_action(
        request,
        pk,
        lambda m: (
            services.set_fund(user=request.user, month_id=m.pk, fund=request.POST.get("quy", ""))
            and "Đã đặt quỹ nhuận bút của tháng."
        ),
    )


def _download(st, fmt: str, filename: str, person: str = ""):
    if fmt not in reports.CONTENT_TYPES:
        raise Http404("Định dạng tải về không hợp lệ.")
    response = HttpResponse(
        reports.render(st, fmt, person), content_type=reports.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def export(request, fmt):
    """Accounting's download: the whole month, or one person's part (?nguoi=)."""
    agency, _ = _agency(request)
    first_day = _month(request)
    person = request.GET.get("nguoi", "")
    st = selectors.statement(agency, first_day, person_key=person or None)
    if person and not st.people:
        raise PermissionDenied("Người này không có nhuận bút trong tháng.")
    name = st.people[0].person if person else ""
    return _download(st, fmt, f"nhuan-but-{agency.slug}-{first_day:%Y-%m}", name)


def mine(request):
    """Nhuận bút của tôi: the user's own statement, month by month, in every agency. Opens
    on the latest month with an approved statement (this month's is not approved yet)."""
    if not (request.GET.get("thang") or request.POST.get("thang")):
        latest = selectors.user_latest_statement_month(request.user)
        first_day = latest or timezone.localdate().replace(day=1)
    else:
        first_day = _month(request)
    key = f"u{request.user.pk}"
    statements = [
        selectors.statement(a, first_day, person_key=key)
        for a in selectors.user_statement_agencies(request.user, first_day)
    ]
    return render(
        request,
        "royalties/mine.html",
        {
            "page_title": "Nhuận bút của tôi",
            "first_day": first_day,
            "around": _months_around(first_day),
            "statements": statements,
        },
    )


def mine_export(request, fmt):
    first_day = _month(request)
    slug = request.GET.get("co-quan", "")
    agency = next(
        (a for a in selectors.user_statement_agencies(request.user, first_day) if a.slug == slug),
        None,
    )
    if agency is None:
        raise PermissionDenied("Bạn không có nhuận bút của cơ quan này trong tháng.")
    st = selectors.statement(agency, first_day, person_key=f"u{request.user.pk}")
    return _download(
        st,
        fmt,
        f"nhuan-but-{agency.slug}-{first_day:%Y-%m}-{request.user.username}",
        st.people[0].person,
    )
