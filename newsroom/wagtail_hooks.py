from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from laces.components import Component
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from .forms import ASSIGNMENT_TO_WRITE_ATTR
from .models import Agency, AgencyRole, Assignment, Commission, Outlet, Role, StoryPage
from .selectors import assignments_open_for, user_agencies, user_is_department_officer
from .services import assignment_link_story
from .views import admin as admin_views
from .views.snippets import (
    AgencyViewSet,
    AssignmentViewSet,
    CommissionViewSet,
    OutletViewSet,
    PlaceViewSet,
)
from .workflow_ui import arrange_action_menu, replace_success_message

register_snippet(AgencyViewSet)
register_snippet(OutletViewSet)
register_snippet(PlaceViewSet)
register_snippet(CommissionViewSet)
register_snippet(AssignmentViewSet)


@hooks.register("register_admin_urls")
def register_newsroom_admin_urls():
    return [
        path("newsroom/go-bai/<int:page_id>/", admin_views.takedown, name="newsroom_takedown"),
        path("newsroom/ke-hoach/", admin_views.planning, name="newsroom_planning"),
        path(
            "newsroom/giao-viec/<int:pk>/viet-bai/",
            admin_views.assignment_write,
            name="newsroom_assignment_write",
        ),
        path("newsroom/sap-nhap/", admin_views.agency_merge_view, name="newsroom_agency_merge"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, shown_if, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_if = shown_if

    def is_shown(self, request):
        return self.shown_if(request.user)


@hooks.register("register_admin_menu_item")
def register_planning_menu_item():
    return PermissionMenuItem(
        "Kế hoạch ngày",
        reverse("newsroom_planning"),
        name="ke-hoach-ngay",
        icon_name="date",
        order=89,
        shown_if=lambda user: user.has_perm("newsroom.view_assignment"),
    )


@hooks.register("register_settings_menu_item")
def register_agency_merge_menu_item():
    return PermissionMenuItem(
        "Sáp nhập cơ quan",
        reverse("newsroom_agency_merge"),
        name="sap-nhap-co-quan",
        icon_name="group",
        order=900,
        shown_if=lambda user: user.is_superuser,
    )


class MyAssignmentsPanel(Component):
    """ "Việc của tôi" on a reporter's dashboard: open assignments with deadlines."""

    name = "my_assignments"
    template_name = "newsroom/admin/my_assignments_panel.html"
    order = 50

    def __init__(self, assignments):
        self.assignments = assignments

    def get_context_data(self, parent_context):
        return {"assignments": self.assignments, "now": timezone.now()}


@hooks.register("construct_homepage_panels")
def add_my_assignments_panel(request, panels):
    assignments = list(assignments_open_for(request.user)[:20])
    is_reporter = AgencyRole.objects.filter(group__user=request.user, role=Role.REPORTER)
    if assignments or is_reporter.exists():
        panels.append(MyAssignmentsPanel(assignments))


# --- Publishing rules in Wagtail's page editor ------------------------------------------

PUBLISH_REFUSED = (
    "Bạn không có quyền đăng bài. Hãy gửi duyệt: biên tập viên và tổng biên tập sẽ duyệt và đăng."
)


def _publish_refused(request, can_publish: bool) -> bool:
    return request.method == "POST" and bool(request.POST.get("action-publish")) and not can_publish


@hooks.register("before_create_page")
def refuse_publish_on_create(request, parent_page, page_class):
    # Wagtail would quietly save a draft instead; a crafted publish is refused outright,
    # saving nothing, so the reporter knows the story did not go out.
    if _publish_refused(
        request, parent_page.permissions_for_user(request.user).can_publish_subpage()
    ):
        messages.error(request, PUBLISH_REFUSED)
        return redirect("wagtailadmin_explore", parent_page.pk)
    return None


@hooks.register("before_edit_page")
def refuse_publish_on_edit(request, page):
    if _publish_refused(request, page.permissions_for_user(request.user).can_publish()):
        messages.error(request, PUBLISH_REFUSED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_create_page")
def prefill_story_from_assignment(request, parent_page, page_class):
    # "Viết bài": the story form opened for an assignment starts with its commune and
    # formats. Wagtail builds the form from the user's request; StoryPageForm reads this.
    pending = request.session.get(admin_views.PENDING_ASSIGNMENT_SESSION_KEY)
    if request.method == "GET" and pending and issubclass(page_class, StoryPage):
        if pending.get("section") == parent_page.pk:
            assignment = (
                Assignment.objects.filter(agency__in=user_agencies(request.user))
                .filter(pk=pending.get("assignment"))
                .select_related("place", "commission")
                .first()
            )
            setattr(request.user, ASSIGNMENT_TO_WRITE_ATTR, assignment)
    return None


@hooks.register("after_create_page")
def link_story_to_assignment(request, page):
    pending = request.session.get(admin_views.PENDING_ASSIGNMENT_SESSION_KEY)
    if not pending or not isinstance(page.specific, StoryPage):
        return None
    if page.get_parent().pk != pending.get("section"):
        return None  # the reporter wrote something else in the meantime
    del request.session[admin_views.PENDING_ASSIGNMENT_SESSION_KEY]
    assignment = (
        Assignment.objects.filter(
            agency__in=user_agencies(request.user), pk=pending.get("assignment")
        )
    ).first()
    if assignment is None:
        return None
    try:
        assignment_link_story(assignment=assignment, story=page.specific, user=request.user)
    except ValidationError as exc:
        messages.warning(
            request, "Không gắn được tin bài với việc được giao: " + " ".join(exc.messages)
        )
    return None


# --- Takedown ("Gỡ bài") ------------------------------------------------------------------


class TakedownMenuItem(ActionMenuItem):
    label = "Gỡ bài"
    name = "action-takedown"
    icon_name = "download"
    order = 25

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, StoryPage)
            and page.live
            and not context["locked_for_user"]
            and context["user_page_permissions_tester"].can_unpublish()
        )

    def get_url(self, context):
        return reverse("newsroom_takedown", args=(context["page"].pk,))


@hooks.register("register_page_action_menu_item")
def register_takedown_menu_item():
    return TakedownMenuItem()


def _takedown_button(page, user, priority):
    if not (
        isinstance(page.specific_deferred, StoryPage)
        and page.live
        and page.permissions_for_user(user).can_unpublish()
    ):
        return []
    return [
        Button(
            "Gỡ bài",
            reverse("newsroom_takedown", args=(page.pk,)),
            icon_name="download",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def takedown_header_button(page, user, view_name=None, next_url=None):
    return _takedown_button(page, user, priority=55)


@hooks.register("register_page_listing_more_buttons")
def takedown_listing_button(page, user, next_url=None):
    return _takedown_button(page, user, priority=55)


@hooks.register("construct_page_action_menu")
def replace_unpublish_with_takedown(menu_items, request, context):
    # A story leaves the site only through "Gỡ bài", which asks for and logs a reason.
    if isinstance(context.get("page"), StoryPage):
        menu_items[:] = [item for item in menu_items if item.name != "action-unpublish"]


@hooks.register("construct_page_action_menu", order=100)
def arrange_page_action_menu(menu_items, request, context):
    # After the takedown swap above: the expected next step first, undoing actions last
    # and asking first, every label in Vietnamese (newsroom/workflow_ui.py).
    arrange_action_menu(menu_items, request, context)


@hooks.register("after_create_page", order=100)
@hooks.register("after_edit_page", order=100)
def say_what_the_workflow_did(request, page):
    replace_success_message(request, page)


@hooks.register("before_unpublish_page")
def unpublish_story_through_takedown(request, page):
    if isinstance(page.specific, StoryPage):
        messages.warning(request, "Gỡ tin bài phải ghi lý do.")
        return redirect("newsroom_takedown", page.pk)
    return None


# --- Published stories are never deleted -------------------------------------------------

DELETE_REFUSED = (
    "Tin bài đã từng được đăng không thể xóa (lưu trữ báo chí); hãy dùng “Gỡ bài” để "
    "ngừng hiển thị."
)


def _published_story(page) -> bool:
    return isinstance(page.specific_deferred, StoryPage) and page.first_published_at is not None


@hooks.register("before_delete_page")
def refuse_deleting_published_story(request, page):
    # A published story is part of the press record; taking it down keeps it and its
    # history. Only a superuser may delete one (e.g. a court order to erase it).
    if not request.user.is_superuser and _published_story(page):
        messages.error(request, DELETE_REFUSED)
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


# --- Agency scoping of bulk actions -------------------------------------------------------

AGENCY_SCOPED_MODELS = {Assignment: "agency", Commission: "agency", Outlet: "agency"}


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser_to_own_agency(pages, request):
    """Staff choose (link to) pages of their own agency's outlets only; the superuser and
    the department officer every outlet. Browsing into another agency's page by its
    address is refused, as if it did not exist."""
    user = request.user
    if user.is_superuser or user_is_department_officer(user):
        return pages
    roots = list(
        Page.objects.filter(sites_rooted_here__outlet__agency__in=user_agencies(user))
        .distinct()
        .values_list("path", flat=True)
    )
    match = request.resolver_match
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None:
        parent = Page.objects.filter(pk=parent_id).values_list("path", flat=True).first()
        # The tree's root (above every outlet) and the user's own outlets may be browsed.
        if parent and not any(parent.startswith(r) or r.startswith(parent) for r in roots):
            raise Http404("Trang không thuộc cơ quan của bạn.")
    own = Q(pk__in=[])
    for root in roots:
        own |= Q(path__startswith=root)
    return pages.filter(own)


@hooks.register("before_bulk_action")
def refuse_bulk_action_on_other_agencies(request, action_type, objects, action_class_instance):
    allowed = set(user_agencies(request.user).values_list("pk", flat=True))
    if action_type == "delete" and not request.user.is_superuser:
        if any(_published_story(obj) for obj in objects if hasattr(obj, "first_published_at")):
            messages.error(request, DELETE_REFUSED)
            return redirect("wagtailadmin_home")
    for obj in objects:
        if isinstance(obj, Agency):
            agency_id = obj.pk
        elif type(obj) in AGENCY_SCOPED_MODELS:
            agency_id = obj.agency_id
        else:
            continue
        if agency_id not in allowed:
            messages.error(request, "Có bản ghi thuộc cơ quan khác; thao tác bị từ chối.")
            return redirect("wagtailadmin_home")
    return None


@hooks.register("register_log_actions")
def register_newsroom_log_actions(actions):
    @actions.register_action("newsroom.takedown")
    class TakedownFormatter(LogFormatter):
        label = "Gỡ bài"

        def format_message(self, log_entry):
            return "Gỡ bài. Lý do: " + log_entry.data.get("reason", "")

    @actions.register_action("newsroom.agency_merge")
    class MergeFormatter(LogFormatter):
        label = "Sáp nhập cơ quan"

        def format_message(self, log_entry):
            name = log_entry.data.get("into_name") or f"#{log_entry.data.get('into')}"
            return f"Sáp nhập vào {name}"

    @actions.register_action("newsroom.assignment_story")
    class AssignmentStoryFormatter(LogFormatter):
        label = "Gắn tin bài"

        def format_message(self, log_entry):
            return "Viết bài cho việc được giao: " + log_entry.data.get("title", "")


from . import wagtail_hooks_broadcast  # noqa: E402, F401  (broadcasting and media pipeline)


@hooks.register("construct_help_menu")
def hide_wagtail_org_help(request, items):
    """The Help menu keeps the keyboard shortcuts; Wagtail's "what's new" and editor guide
    are English pages on wagtail.org (and their unread badge nags every new user)."""
    items[:] = [
        item
        for item in items
        if not (item.name.startswith("whats-new-in-wagtail") or item.name == "editor-guide")
    ]


def _label_site_columns():
    """Wagtail's site listing names three columns from their attribute ("Port", "Site
    name", "Root page"): labelled from the fields instead, which the catalogue translates."""
    from django.utils.text import capfirst
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        if column.name in ("port", "site_name", "root_page"):
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)


_label_site_columns()
