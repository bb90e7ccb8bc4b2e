"""Demo data of distribution: sharing policies, one partner API key with a documented
value, and disabled platforms pointing nowhere real, so the admin view has something to
show. Idempotent."""

import io
from datetime import timedelta

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model

from newsroom.models import Agency, Outlet, StoryPage
from newsroom.services import agency_collection

from .models import (
    Delivery,
    DeliveryAction,
    DeliveryState,
    DistributionSettings,
    PartnerKey,
    Platform,
    PlatformKind,
    SharingPolicy,
    hash_key,
)

# Printed in the README for demo use only; production keys are generated in the admin.
DEMO_PARTNER_KEY = "hoitu-demo-partner-key-2025"
DEMO_PLATFORMS = [
    # (agency slug, name, kind, endpoint, credentials)
    (
        "baothanhhoa",
        "Zalo OA Báo Thanh Hóa (demo)",
        PlatformKind.ZALO_OA,
        "https://openapi.zalo.invalid",
        {
            "app_id": "demo",
            "secret_key": "demo-secret",
            "access_token": "demo-access",
            "refresh_token": "demo-refresh",
        },
    ),
    (
        "baothanhhoa",
        "Báo Mới (HTTP push, demo)",
        PlatformKind.HTTP_PUSH,
        "https://aggregator.invalid/hoitu/push",
        {"secret": "demo-signing-secret"},
    ),
    (
        "ptth",
        "IPTV đối tác (FTP, demo)",
        PlatformKind.FTP,
        "ftp://iptv.invalid:21/incoming",
        {"username": "demo", "password": "demo-password"},
    ),
]


def load(stdout=None) -> None:
    for agency in Agency.objects.all():
        SharingPolicy.objects.get_or_create(agency=agency)
    if not PartnerKey.objects.filter(key_hash=hash_key(DEMO_PARTNER_KEY)).exists():
        PartnerKey.objects.create(
            name="Đối tác demo (Tạp chí Văn nghệ đọc tin Báo Thanh Hóa)",
            prefix=DEMO_PARTNER_KEY[:10],
            key_hash=hash_key(DEMO_PARTNER_KEY),
        )
    platforms = {}
    for slug, name, kind, endpoint, credentials in DEMO_PLATFORMS:
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            continue
        platform, created = Platform.objects.get_or_create(
            agency=agency,
            name=name,
            defaults={"kind": kind, "endpoint": endpoint, "enabled": False},
        )
        if created:
            platform.set_credentials(credentials)
            platform.save()
        platforms[name] = platform
    _history(platforms)
    for outlet in Outlet.objects.select_related("agency", "site"):
        _default_cover(outlet)
    if stdout:
        stdout.write(
            f"Distribution demo: {Platform.objects.count()} platforms (disabled), "
            f"partner key {DEMO_PARTNER_KEY}"
        )


def _default_cover(outlet) -> None:
    """A plain cover with the outlet's name, for stories without a lead image on Zalo."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    config = DistributionSettings.for_site(outlet.site)
    if config.zalo_cover_id:
        return
    Image = get_image_model()
    title = f"Ảnh bìa mặc định {outlet.name}"
    image = Image.objects.filter(title=title).first()
    if image is None:
        canvas = PILImage.new("RGB", (1200, 675), (163, 22, 27))
        draw = ImageDraw.Draw(canvas)
        draw.rectangle([0, 560, 1200, 675], fill=(120, 12, 18))
        draw.text((60, 590), outlet.name, fill=(255, 255, 255), font_size=48)
        buffer = io.BytesIO()
        canvas.save(buffer, "JPEG", quality=80)
        image = Image(title=title, collection=agency_collection(agency=outlet.agency))
        image.file = ImageFile(buffer, name=f"zalo-cover-{outlet.site_id}.jpg")
        image.save()
    config.zalo_cover = image
    config.save()


def _history(platforms) -> None:
    """A few past deliveries (no platform holds a copy, so nothing is ever sent)."""
    zalo = platforms.get("Zalo OA Báo Thanh Hóa (demo)")
    push = platforms.get("Báo Mới (HTTP push, demo)")
    if zalo is None or push is None:
        return
    stories = StoryPage.objects.live().descendant_of(zalo.agency.outlets.first().site.root_page)
    now = timezone.now()
    for index, story in enumerate(stories.order_by("-first_published_at")[:3]):
        when = now - timedelta(hours=index + 1)
        Delivery.objects.get_or_create(
            idempotency_key=f"demo:{story.pk}:{zalo.pk}",
            defaults={
                "story": story,
                "platform": zalo,
                "action": DeliveryAction.PUBLISH,
                "state": DeliveryState.DELIVERED,
                "attempts": 1,
                "remote_id": f"demo-{story.pk}",
                "created_at": when,
                "delivered_at": when + timedelta(seconds=4),
            },
        )
        Delivery.objects.get_or_create(
            idempotency_key=f"demo:{story.pk}:{push.pk}",
            defaults={
                "story": story,
                "platform": push,
                "action": DeliveryAction.PUBLISH,
                "state": DeliveryState.FAILED if index == 0 else DeliveryState.DELIVERED,
                "attempts": 8 if index == 0 else 1,
                "last_error": "push: HTTP 503 Service Unavailable (sau 8 lần thử)"
                if index == 0
                else "",
                "created_at": when,
                "delivered_at": None if index == 0 else when + timedelta(seconds=1),
            },
        )
