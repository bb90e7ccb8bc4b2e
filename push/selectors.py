"""Reads of the push app."""

from django.db.models import Count, Q
from wagtail.models import Site

from .models import DeliveryStatus, Subscription


def sender_sites(user):
    """The outlets whose alerts `user` may send: None for every outlet (superuser), else
    the sites of the agencies where the user is editor-in-chief (or administrator)."""
    from .apps import SENDER_ROLES

    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return None
    return Site.objects.filter(
        outlet__agency__roles__group__user=user, outlet__agency__roles__role__in=SENDER_ROLES
    ).distinct()


def may_send_for(user, site) -> bool:
    if not user.has_perm("push.add_alert"):
        return False
    sites = sender_sites(user)
    return sites is None or sites.filter(pk=site.pk).exists()


def subscriber_count(site) -> int:
    return Subscription.objects.filter(site=site).count()


def alert_figures(alert) -> dict:
    """Subscriptions reached: accepted by the push service (sent), shown by the browser
    (delivered, the service worker's receipt), failed, expired (404/410), clicked."""
    return alert.deliveries.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        expired=Count("pk", filter=Q(status=DeliveryStatus.EXPIRED)),
        pending=Count("pk", filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
