"""Staff screens of the newsroom inside Wagtail's admin: takedown, the day's plan,
"write from an assignment" and agency mergers. Thin callers of services and selectors."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..forms import AgencyMergeForm, TakedownForm
from ..models import OPEN_ASSIGNMENT_STATUSES, Agency, Assignment, StoryPage
from ..selectors import planning_day, user_agencies
from ..services import agency_merge, story_takedown

# The session key that carries "this new story is for that assignment" from the
# "Viết bài" link to Wagtail's page-create form (which drops query strings on POST).
PENDING_ASSIGNMENT_SESSION_KEY = "newsroom.pending_assignment"


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_http_methods(["GET", "POST"])
def takedown(request, page_id: int):
    """Gỡ bài: the editor-in-chief unpublishes a live story with a reason (logged)."""
    story = get_object_or_404(StoryPage, pk=page_id)
    if not story.permissions_for_user(request.user).can_unpublish():
        raise PermissionDenied("Bạn không có quyền gỡ bài này.")
    edit_url = reverse("wagtailadmin_pages:edit", args=(story.pk,))
    if not story.live:
        messages.error(request, "Tin bài này chưa được đăng hoặc đã bị gỡ.")
        return redirect(edit_url)
    form = TakedownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            story_takedown(story=story, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason", _error_text(exc))
        else:
            messages.success(request, f"Đã gỡ bài “{story.title}”.")
            return redirect(edit_url)
    return TemplateResponse(
        request,
        "newsroom/admin/takedown.html",
        {"page": story, "form": form, "edit_url": edit_url},
    )


def _parse_day(request) -> datetime.date:
    """?ngay= as the date input posts it (2026-12-25) or as staff type it (25/12/2026)."""
    today = timezone.localdate()
    raw = request.GET.get("ngay", "").strip()
    if not raw:
        return today
    try:
        day = forms.DateField().clean(raw)
        if not 2000 <= day.year <= 2100:  # also keeps the previous/next-day links valid
            raise ValidationError("out of range")
        return day
    except ValidationError:
        messages.error(
            request,
            f"Ngày “{raw}” không hợp lệ (ghi theo ngày/tháng/năm, ví dụ 25/12/2026); "
            "đang hiển thị hôm nay.",
        )
        return today


def planning(request):
    """Kế hoạch ngày: the day's assignments per agency and desk, for the user's agencies."""
    if not request.user.has_perm("newsroom.view_assignment"):
        raise PermissionDenied("Bạn không có quyền xem kế hoạch.")
    day = _parse_day(request)
    agencies = user_agencies(request.user).filter(merged_into__isnull=True)
    agency = None
    if slug := request.GET.get("co_quan"):
        agency = agencies.filter(slug=slug).first()
        if agency is None:
            messages.error(request, "Cơ quan không tồn tại hoặc không thuộc quyền của bạn.")
    plan = planning_day(user=request.user, day=day, agency=agency)
    return TemplateResponse(
        request,
        "newsroom/admin/planning.html",
        {
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "today": timezone.localdate(),
            "plan": plan,
            "agencies": agencies,
            "agency": agency,
            "total": sum(len(d["assignments"]) for a in plan for d in a["desks"]),
        },
    )


def assignment_write(request, pk: int):
    """Viết bài: opens Wagtail's page-create form for a story in the assignment's section;
    the `after_create_page` hook links the new story back to the assignment."""
    assignment = get_object_or_404(
        Assignment.objects.filter(agency__in=user_agencies(request.user)), pk=pk
    )
    is_reporter = assignment.reporters.filter(pk=request.user.pk).exists()
    if not (is_reporter or request.user.has_perm("newsroom.change_assignment")):
        raise PermissionDenied("Việc này không được giao cho bạn.")
    if assignment.story_id:
        messages.info(request, "Việc này đã có tin bài; mở bài để viết tiếp.")
        return redirect("wagtailadmin_pages:edit", assignment.story_id)
    if assignment.status not in OPEN_ASSIGNMENT_STATUSES:
        messages.error(request, "Việc này đã nộp bài hoặc đã hủy.")
        return redirect("wagtailadmin_home")
    request.session[PENDING_ASSIGNMENT_SESSION_KEY] = {
        "assignment": assignment.pk,
        "section": assignment.section_id,
    }
    message = f"Viết bài cho việc “{assignment.title}”."
    details = [f"loại hình {assignment.get_formats_display()}"] if assignment.formats else []
    if assignment.place_id:
        details.append(f"địa bàn {assignment.place}")
    if details:
        message += " Đã điền sẵn " + " và ".join(details) + " theo việc được giao."
    messages.info(request, message)
    return redirect("wagtailadmin_pages:add", "newsroom", "storypage", assignment.section_id)


@require_http_methods(["GET", "POST"])
def agency_merge_view(request):
    """Sáp nhập cơ quan: superusers only; history is kept (see `agency_merge`)."""
    if not request.user.is_superuser:
        raise PermissionDenied("Chỉ quản trị hệ thống được sáp nhập cơ quan.")
    form = AgencyMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        target = form.cleaned_data["target"]
        try:
            agency_merge(
                source=source,
                target=target,
                on_date=form.cleaned_data["on_date"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"Đã sáp nhập {source} vào {target}.")
            return redirect("newsroom_agency_merge")
    return TemplateResponse(
        request,
        "newsroom/admin/agency_merge.html",
        {"form": form, "merged": Agency.objects.filter(merged_into__isnull=False)},
    )
