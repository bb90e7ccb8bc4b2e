"""Reads of the newsroom: who belongs to which agency, what a user may see."""

from django.db.models import QuerySet

from .models import DEPARTMENT_OFFICER_GROUP, Agency, AgencyRole, Outlet, Role


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
