"""Reads of the newsroom: who belongs to which agency, what a user may see."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from .models import (
    DEPARTMENT_OFFICER_GROUP,
    OPEN_ASSIGNMENT_STATUSES,
    Agency,
    AgencyRole,
    Assignment,
    Outlet,
    Role,
)


def user_agencies(user) -> QuerySet[Agency]:
    """The agencies whose staff `user` is; every agency for superusers and the department
    officer (read-only)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser or user_is_department_officer(user):
        return Agency.objects.all()
    return Agency.objects.filter(roles__group__user=user).distinct()


def user_roles(user, agency: Agency) -> set[str]:
    return set(
        AgencyRole.objects.filter(agency=agency, group__user=user).values_list("role", flat=True)
    )


# Who may be given an assignment, and who may sign a story: journalists of the agency
# (never its technical administrator, the department officer or a reader).
ASSIGNEE_ROLES = (Role.REPORTER, Role.DESK_EDITOR)
BYLINE_ROLES = (Role.REPORTER, Role.DESK_EDITOR, Role.MANAGING_EDITOR, Role.EDITOR_IN_CHIEF)


def agency_staff(agencies, roles):
    """Active users holding one of `roles` in one of `agencies` (an Agency, a queryset or
    a list), by name."""
    if isinstance(agencies, Agency):
        agencies = [agencies]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__agency_role__agency__in=agencies,
            groups__agency_role__role__in=roles,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def user_has_role(user, *roles: Role) -> bool:
    return AgencyRole.objects.filter(group__user=user, role__in=roles).exists()


def user_is_department_officer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=DEPARTMENT_OFFICER_GROUP).exists()


def outlet_for_site(site) -> Outlet | None:
    if site is None:
        return None
    try:
        return site.outlet
    except Outlet.DoesNotExist:
        return None


def assignments_open_for(user):
    """ "Việc của tôi": the reporter's open assignments, nearest deadline first."""
    return (
        Assignment.objects.filter(reporters=user, status__in=OPEN_ASSIGNMENT_STATUSES)
        .select_related("agency", "section", "story", "place")
        .order_by("deadline", "-priority")
    )


def planning_day(*, user, day, agency: Agency | None = None) -> list[dict]:
    """The day's plan (assignments due that local day) for each agency `user` may see, by
    desk (section): [{"agency", "desks": [{"section", "assignments": [...]}]}]."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    agencies = user_agencies(user).filter(merged_into__isnull=True)
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
    assignments = (
        Assignment.objects.filter(agency__in=agencies, deadline__gte=start, deadline__lt=end)
        .select_related("agency", "section", "story", "place")
        .prefetch_related("reporters")
        .order_by("agency__name", "section__title", "deadline", "-priority")
    )
    plan: dict[int, dict] = {a.pk: {"agency": a, "desks": {}} for a in agencies}
    for item in assignments:
        desks = plan[item.agency_id]["desks"]
        desks.setdefault(item.section_id, {"section": item.section, "assignments": []})
        desks[item.section_id]["assignments"].append(item)
    return [
        {"agency": entry["agency"], "desks": list(entry["desks"].values())}
        for entry in plan.values()
    ]
