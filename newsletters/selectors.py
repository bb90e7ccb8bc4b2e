"""Reads of the newsletters app."""

from django.db.models import Count, Q
from wagtail.models import Site

from .models import DeliveryStatus


def editor_sites(user):
    """The outlets whose newsletters `user` manages: None for every outlet (superuser),
    else the sites of the agencies where the user holds a role."""
    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return None
    return Site.objects.filter(outlet__agency__roles__group__user=user).distinct()


def edition_figures(edition) -> dict:
    """Copies sent, bounced, failed, opened and clicked, for the editors."""
    return edition.deliveries.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        subscriber_copies=Count(
            "pk", filter=Q(status=DeliveryStatus.SENT, subscriber_edition=True)
        ),
        bounced=Count("pk", filter=Q(status=DeliveryStatus.BOUNCED)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        pending=Count("pk", filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
