"""Reads of distribution: who may see which deliveries, what a platform holds, which
stories partners may read."""

from django.db.models import Count, Q, QuerySet

from newsroom.models import AgencyRole, Role, StoryPage
from newsroom.selectors import user_agencies, user_is_department_officer

from .models import Delivery, DeliveryState, Platform

MANAGER_ROLES = [Role.EDITOR_IN_CHIEF, Role.ADMIN]


def user_can_view_distribution(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user_is_department_officer(user):
        return True
    return AgencyRole.objects.filter(group__user=user, role__in=MANAGER_ROLES).exists()


def user_can_manage_agency(user, agency_id: int) -> bool:
    """Resend is for the agency's editor-in-chief and admins (the department officer only
    reads)."""
    if user.is_superuser:
        return True
    return AgencyRole.objects.filter(
        group__user=user, role__in=MANAGER_ROLES, agency_id=agency_id
    ).exists()


def user_platforms(user) -> QuerySet[Platform]:
    if not user_can_view_distribution(user):
        return Platform.objects.none()
    if user.is_superuser or user_is_department_officer(user):
        return Platform.objects.all()
    agencies = AgencyRole.objects.filter(group__user=user, role__in=MANAGER_ROLES).values(
        "agency_id"
    )
    return Platform.objects.filter(agency_id__in=agencies)


def user_deliveries(user) -> QuerySet[Delivery]:
    return Delivery.objects.filter(platform__in=user_platforms(user)).select_related(
        "platform", "platform__agency", "story"
    )


def platform_summaries(user) -> QuerySet[Platform]:
    return (
        user_platforms(user)
        .select_related("agency")
        .annotate(
            queued=Count(
                "deliveries",
                filter=Q(
                    deliveries__state__in=[
                        DeliveryState.PENDING,
                        DeliveryState.SENDING,
                        DeliveryState.RETRYING,
                    ]
                ),
            ),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
            delivered=Count("deliveries", filter=Q(deliveries__state=DeliveryState.DELIVERED)),
        )
    )


def shareable_stories() -> QuerySet[StoryPage]:
    """Published stories of agencies whose sharing policy lets partners read them (an
    agency without a policy shares nothing)."""
    from newsroom.models import Outlet

    outlets = Outlet.objects.filter(agency__sharing_policy__share_stories=True).select_related(
        "site__root_page", "agency__sharing_policy"
    )
    shared = Q(pk__in=[])
    for outlet in outlets:
        part = StoryPage.objects.descendant_of_q(outlet.site.root_page)
        if not outlet.agency.sharing_policy.share_paid_teasers:
            part &= Q(access_level="free")
        shared |= part
    return StoryPage.objects.live().public().filter(shared)


__all__ = [
    "user_agencies",
    "user_can_view_distribution",
    "user_can_manage_agency",
    "user_platforms",
    "user_deliveries",
    "platform_summaries",
    "shareable_stories",
]
