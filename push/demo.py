"""Demo of breaking-news push: the editors-in-chief's permission, and one alert of
yesterday on Báo Thanh Hóa with the record of its delivery (the readers' browsers of that
send are not in the demo: a demo subscription would point at a real push service), so
Admin → Tin nóng and the alert's figures are not empty."""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site

from newsroom.models import Outlet, StoryPage

from .apps import grant_permissions
from .models import Alert, AlertStatus, Delivery, DeliveryStatus

DEMO_NONCE = uuid.UUID("5c0f8a52-7d1e-4c55-9b7e-0d3b1f3a7e11")
# (status, shown on the device, clicked) per browser of that send.
RECORD = (
    [(DeliveryStatus.SENT, True, True)] * 9
    + [(DeliveryStatus.SENT, True, False)] * 19
    + [(DeliveryStatus.SENT, False, False)] * 6
    + [(DeliveryStatus.EXPIRED, False, False)] * 4
    + [(DeliveryStatus.FAILED, False, False)] * 2
)


def load(stdout=None) -> None:
    grant_permissions()
    if Alert.objects.filter(nonce=DEMO_NONCE).exists():
        return
    outlet = Outlet.objects.filter(agency__slug="baothanhhoa").select_related("site").first()
    site = outlet.site if outlet else Site.objects.filter(is_default_site=True).first()
    story = (
        StoryPage.objects.live()
        .descendant_of(site.root_page)
        .filter(title__icontains="bão")
        .order_by("-first_published_at")
        .first()
    ) or StoryPage.objects.live().descendant_of(site.root_page).first()
    if story is None:
        return
    sent_at = timezone.now() - datetime.timedelta(days=1)
    alert = Alert.objects.create(
        site=site,
        story=story,
        title=story.title[:80],
        body="Tin nóng: theo dõi diễn biến mới nhất trên Báo Thanh Hóa điện tử.",
        url=story.get_full_url() or "",
        status=AlertStatus.SENT,
        nonce=DEMO_NONCE,
        created_by=get_user_model().objects.filter(username="tongbientap.baothanhhoa").first(),
        created_at=sent_at,
        started_at=sent_at,
        finished_at=sent_at + datetime.timedelta(seconds=4),
    )
    Delivery.objects.bulk_create(
        Delivery(
            alert=alert,
            status=status,
            attempts=1 if status != DeliveryStatus.FAILED else 5,
            sent_at=sent_at if status == DeliveryStatus.SENT else None,
            delivered_at=sent_at + datetime.timedelta(seconds=20) if shown else None,
            clicked_at=sent_at + datetime.timedelta(minutes=3) if clicked else None,
            error={DeliveryStatus.EXPIRED: "410 đăng ký hết hạn", DeliveryStatus.FAILED: "503"}.get(
                status, ""
            ),
        )
        for status, shown, clicked in RECORD
    )
    if stdout:
        stdout.write(f"Push: 1 demo alert ({len(RECORD)} browsers reached).")
