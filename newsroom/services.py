"""Writes of the newsroom: agencies and their roles, mergers, takedowns."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .broadcast_services import broadcast_setup_permissions
from .events import agency_roles_ready
from .models import (
    DEPARTMENT_OFFICER_GROUP,
    OPEN_ASSIGNMENT_STATUSES,
    Agency,
    AgencyRole,
    Assignment,
    AssignmentStatus,
    Outlet,
    OutletOwnership,
    Role,
    StoryPage,
)

# Page permissions each role holds on its own agency's outlets. Reporters cannot publish:
# they only reach publication through the workflow.
ROLE_PAGE_PERMISSIONS = {
    Role.REPORTER: ["add"],
    Role.DESK_EDITOR: ["add", "change", "lock"],
    Role.MANAGING_EDITOR: ["add", "change", "lock", "unlock"],
    Role.EDITOR_IN_CHIEF: ["add", "change", "lock", "unlock", "publish"],
    Role.ADMIN: ["add", "change", "lock", "unlock", "publish", "bulk_delete"],
}
ROLE_MODEL_PERMISSIONS = {
    Role.REPORTER: ["newsroom.view_assignment", "newsroom.change_assignment"],
    Role.DESK_EDITOR: ["newsroom.view_assignment", "newsroom.change_assignment"],
    Role.MANAGING_EDITOR: [
        "newsroom.view_assignment",
        "newsroom.add_assignment",
        "newsroom.change_assignment",
        "newsroom.delete_assignment",
        "newsroom.view_commission",
    ],
    Role.EDITOR_IN_CHIEF: [
        "newsroom.view_assignment",
        "newsroom.add_assignment",
        "newsroom.change_assignment",
        "newsroom.delete_assignment",
        "newsroom.view_commission",
        "newsroom.add_commission",
        "newsroom.change_commission",
        "newsroom.view_agency",
    ],
    Role.ADMIN: [
        "newsroom.view_assignment",
        "newsroom.add_assignment",
        "newsroom.change_assignment",
        "newsroom.delete_assignment",
        "newsroom.view_commission",
        "newsroom.add_commission",
        "newsroom.change_commission",
        "newsroom.view_agency",
        "newsroom.change_agency",
        "newsroom.view_outlet",
    ],
}
# Granted on the agency's own collection. wagtailmedia's permission policy reads the
# permissions of `wagtailmedia.Media` (its auth model), not of the swapped-in MediaAsset;
# it has no "choose": seeing a cut in the chooser takes "change" (on the collection) or
# owning it. Other agencies' cuts reach a chooser only through a MediaShare.
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add", "change", "choose"]),
    ("wagtaildocs", "document", ["add", "change", "choose"]),
    ("wagtailmedia", "media", ["add", "change"]),
]
ROLE_GROUP_NAMES = {
    Role.REPORTER: "Phóng viên",
    Role.DESK_EDITOR: "Biên tập viên",
    Role.MANAGING_EDITOR: "Thư ký tòa soạn",
    Role.EDITOR_IN_CHIEF: "Tổng biên tập",
    Role.ADMIN: "Quản trị",
}
DEPARTMENT_OFFICER_PERMISSIONS = [
    "newsroom.view_agency",
    "newsroom.view_outlet",
    "newsroom.view_commission",
    "newsroom.view_assignment",
]


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _access_admin() -> Permission:
    return _permission("wagtailadmin.access_admin")


def agency_collection(*, agency: Agency) -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=agency.name).first()
    return existing or root.add_child(name=agency.name)


@transaction.atomic
def agency_setup_roles(*, agency: Agency) -> dict[str, Group]:
    """Creates (or brings up to date) the agency's role groups, their permissions on the
    agency's outlets, images and media, and its two-step approval workflow."""
    groups: dict[str, Group] = {}
    homes = [outlet.site.root_page for outlet in agency.outlets.select_related("site")]
    collection = agency_collection(agency=agency)
    for role in Role:
        name = f"{ROLE_GROUP_NAMES[role]} — {agency.short_name or agency.name}"
        link = AgencyRole.objects.filter(agency=agency, role=role).select_related("group").first()
        if link is None:
            group, _ = Group.objects.get_or_create(name=name)
            AgencyRole.objects.create(group=group, agency=agency, role=role)
        else:
            group = link.group
        groups[role] = group
        group.permissions.add(_access_admin())
        for dotted in ROLE_MODEL_PERMISSIONS[role]:
            group.permissions.add(_permission(dotted))
        for home in homes:
            for perm in ROLE_PAGE_PERMISSIONS[role]:
                permission = Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=f"{perm}_page"
                )
                GroupPagePermission.objects.get_or_create(
                    group=group, page=home, permission=permission
                )
        for app_label, model, actions in COLLECTION_PERMISSIONS:
            ct = ContentType.objects.get(app_label=app_label, model=model)
            for action in actions:
                permission = Permission.objects.filter(
                    content_type=ct, codename=f"{action}_{model}"
                ).first()
                if permission is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=collection, permission=permission
                    )
    workflow = agency_workflow(agency=agency, groups=groups)
    for home in homes:
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    broadcast_setup_permissions(agency=agency)
    agency_roles_ready.send(sender=Agency, agency=agency, groups=groups)
    return groups


def agency_workflow(*, agency: Agency, groups: dict[str, Group]) -> Workflow:
    """Draft → desk edit (desk editors) → editor-in-chief approval → published/scheduled."""
    label = agency.short_name or agency.name
    workflow, _ = Workflow.objects.get_or_create(name=f"Quy trình xuất bản — {label}")
    # The editor-in-chief is a member of the desk step too: in a small agency (the
    # literary magazine has one desk) or at night, the EIC clears both steps, each one
    # approved and logged separately; a desk editor can never clear the EIC's step.
    steps = [
        (
            f"Biên tập — {label}",
            [
                groups[Role.DESK_EDITOR],
                groups[Role.MANAGING_EDITOR],
                groups[Role.EDITOR_IN_CHIEF],
            ],
        ),
        (f"Tổng biên tập duyệt — {label}", [groups[Role.EDITOR_IN_CHIEF]]),
    ]
    for order, (name, step_groups) in enumerate(steps):
        task = GroupApprovalTask.objects.filter(name=name).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=name)
        task.groups.set(step_groups)
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    return workflow


# Who a workflow step waits for, most junior first: a story at the desk step "goes to the
# desk editor", though the managing editor and the editor-in-chief may clear it too.
WORKFLOW_ROLE_SENIORITY = [Role.DESK_EDITOR, Role.MANAGING_EDITOR, Role.EDITOR_IN_CHIEF]


def workflow_task_role(task) -> Role | None:
    """The role a workflow step waits for (its groups' most junior newsroom role), or None
    for a step whose groups are not newsroom roles."""
    task = getattr(task, "specific", task)
    groups = getattr(task, "groups", None)
    if groups is None:
        return None
    roles = set(AgencyRole.objects.filter(group__in=groups.all()).values_list("role", flat=True))
    return next((role for role in WORKFLOW_ROLE_SENIORITY if role in roles), None)


def department_officer_group() -> Group:
    group, _ = Group.objects.get_or_create(name=DEPARTMENT_OFFICER_GROUP)
    group.permissions.add(_access_admin())
    for dotted in DEPARTMENT_OFFICER_PERMISSIONS:
        group.permissions.add(_permission(dotted))
    return group


@transaction.atomic
def agency_merge(*, source: Agency, target: Agency, on_date: datetime.date, user=None) -> None:
    """Moves every outlet of `source` under `target` from `on_date`, keeping the history
    of who owned what, and marks `source` as merged. Staff groups are kept: their page
    permissions still point at the same outlets."""
    if source.pk == target.pk:
        raise ValidationError("Không thể sáp nhập một cơ quan vào chính nó.")
    if not source.is_active:
        raise ValidationError(f"{source} đã được sáp nhập trước đó.")
    if not target.is_active:
        raise ValidationError(f"{target} đã được sáp nhập vào cơ quan khác.")
    for outlet in Outlet.objects.select_for_update().filter(agency=source):
        OutletOwnership.objects.filter(outlet=outlet, valid_to__isnull=True).update(
            valid_to=on_date
        )
        OutletOwnership.objects.create(outlet=outlet, agency=target, valid_from=on_date)
        outlet.agency = target
        outlet.save(update_fields=["agency"])
    source.merged_into = target
    source.merged_on = on_date
    source.save(update_fields=["merged_into", "merged_on"])
    log(
        instance=source,
        action="newsroom.agency_merge",
        user=user,
        data={"into": target.pk, "into_name": target.name, "on": on_date.isoformat()},
    )


def story_takedown(*, story: StoryPage, user, reason: str) -> None:
    """Gỡ bài: an editor-in-chief unpublishes a story; the reason is in the audit log."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError("Phải ghi lý do gỡ bài (ít nhất 10 ký tự).")
    if not story.permissions_for_user(user).can_unpublish():
        raise PermissionDenied("Bạn không có quyền gỡ bài này.")
    if not story.live:
        raise ValidationError("Tin bài này chưa được đăng hoặc đã bị gỡ.")
    with transaction.atomic():
        story.unpublish(user=user)
        log(instance=story, action="newsroom.takedown", user=user, data={"reason": reason})


def outlet_for_page(page: Page) -> Outlet | None:
    site = page.get_site()
    return getattr(site, "outlet", None) if site else None


@transaction.atomic
def assignment_link_story(*, assignment: Assignment, story: StoryPage, user) -> Assignment:
    """Links the story a reporter started from an assignment ("Viết bài") and moves the
    assignment on: in progress, or filed at once if the story already went to the desk."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status not in OPEN_ASSIGNMENT_STATUSES:
        raise ValidationError("Việc này đã nộp bài hoặc đã hủy.")
    if assignment.story_id and assignment.story_id != story.pk:
        raise ValidationError("Việc này đã gắn với một tin bài khác.")
    assignment.story = story
    in_review = story.workflow_in_progress
    assignment.status = AssignmentStatus.FILED if in_review else AssignmentStatus.IN_PROGRESS
    assignment.save(update_fields=["story", "status"])
    assignment.reporters.add(user)
    log(
        instance=assignment,
        action="newsroom.assignment_story",
        user=user,
        data={"story": story.pk, "title": story.title},
    )
    return assignment


# The story's original format (StoryPage.primary_format) for an assignment's formats:
# one medium is that medium; text with photos is text; several media is multimedia.
FORMAT_TO_PRIMARY = {"text": "text", "photo": "text", "radio": "radio", "tv": "tv"}


def assignment_primary_format(formats) -> str | None:
    media = {FORMAT_TO_PRIMARY[f] for f in formats or [] if f in FORMAT_TO_PRIMARY}
    if not media:
        return None
    return media.pop() if len(media) == 1 else "multimedia"


def story_prefill_from_assignment(*, story: StoryPage, assignment: Assignment) -> StoryPage:
    """A new, unsaved story written from an assignment starts with its commune, its
    formats (as the story's original format) and its State commission. Saves nothing."""
    if assignment.place_id and not story.place_id:
        story.place = assignment.place
    primary = assignment_primary_format(assignment.formats)
    if primary:
        story.primary_format = primary
    if assignment.commission_id and not story.commission_id:
        story.commission = assignment.commission
    return story


def assignments_mark_filed(*, story_id: int) -> int:
    """The story went to the desk: its open assignments are filed. Idempotent."""
    return Assignment.objects.filter(story_id=story_id, status__in=OPEN_ASSIGNMENT_STATUSES).update(
        status=AssignmentStatus.FILED
    )


def assignments_mark_sent_back(*, story_id: int) -> int:
    """The desk sent the story back: the reporter is working on it again. Idempotent."""
    return Assignment.objects.filter(story_id=story_id, status=AssignmentStatus.FILED).update(
        status=AssignmentStatus.IN_PROGRESS
    )
