"""Zalo token pairs refreshed ahead of expiry from beat (issue 16): the new pair saved in
the transaction that spends the old refresh token, one refresh per OA at a time, and the
agency's administrators told before the refresh token ends or when a refresh fails."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from distribution.models import Platform
from distribution.services import platform_refresh_zalo_token, zalo_tokens_maintain
from distribution.tasks import maintain_zalo_tokens
from newsroom.models import Agency, AgencyRole, Role

from .conftest import make_zalo_platform


def admin_of(agency, django_user_model, email="quantri@baothanhhoa.vn"):
    user = django_user_model.objects.create_user(
        username=f"qt-{agency.slug}", email=email, password="x" * 12
    )
    AgencyRole.objects.get(agency=agency, role=Role.ADMIN).group.user_set.add(user)
    return user


@pytest.mark.django_db
def test_beat_refreshes_ahead_of_expiry_and_saves_the_lifetimes(fast, zalo_fake, zalo_platform):
    Platform.objects.filter(pk=zalo_platform.pk).update(
        access_expires_at=timezone.now() + timedelta(hours=1)  # inside the 3-hour margin
    )
    maintain_zalo_tokens()
    platform = Platform.objects.get(pk=zalo_platform.pk)
    assert zalo_fake.refreshes == 1
    assert platform.credentials["access_token"] == zalo_fake.access_token == "AT-2"
    assert platform.credentials["refresh_token"] == zalo_fake.refresh_token == "RT-2"
    assert "expires_in" not in platform.credentials
    lifetime = platform.access_expires_at - timezone.now()
    assert timedelta(hours=24) < lifetime <= timedelta(seconds=90000)  # Zalo's expires_in
    assert platform.refresh_expires_at - timezone.now() > timedelta(days=89)
    # Not due any more: the next beat leaves the pair alone.
    assert zalo_tokens_maintain() == {"refreshed": 0, "failed": 0, "warned": 0}
    assert zalo_fake.refreshes == 1


@pytest.mark.django_db
def test_refused_refresh_tells_the_agency_admin_once(
    fast, zalo_fake, zalo_platform, agency, django_user_model
):
    admin_of(agency, django_user_model)
    zalo_fake.refresh_token = "RT-spent-elsewhere"  # ours was used up: Zalo says -14014
    assert zalo_tokens_maintain()["failed"] == 1
    platform = Platform.objects.get(pk=zalo_platform.pk)
    assert "Cần cấp quyền lại" in platform.token_problem
    assert platform.credentials["refresh_token"] == "RT-1", "nothing half-saved"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["quantri@baothanhhoa.vn"]
    assert "-14014" in mail.outbox[0].body and "Cấp quyền lại Zalo OA" in mail.outbox[0].body
    zalo_tokens_maintain()
    assert len(mail.outbox) == 1, "the same problem is told once"
    # Re-authorisation: staff paste a new pair; the problem is cleared and beat refreshes.
    from distribution.services import platform_set_credentials

    zalo_fake.refresh_token = "RT-new-grant"
    platform_set_credentials(platform=platform, values={"refresh_token": "RT-new-grant"})
    platform.save()
    assert platform.token_problem == "" and platform.access_expires_at is None
    assert zalo_tokens_maintain()["refreshed"] == 1


@pytest.mark.django_db
def test_admin_warned_before_the_refresh_token_ends(
    fast, zalo_fake, zalo_platform, agency, django_user_model, client
):
    admin = admin_of(agency, django_user_model)
    Platform.objects.filter(pk=zalo_platform.pk).update(
        access_expires_at=timezone.now() + timedelta(hours=20),
        refresh_expires_at=timezone.now() + timedelta(days=10),
    )
    assert zalo_tokens_maintain() == {"refreshed": 0, "failed": 0, "warned": 1}
    assert zalo_tokens_maintain()["warned"] == 0
    assert len(mail.outbox) == 1 and "sắp hết hạn" in mail.outbox[0].subject
    admin.is_superuser = True  # sees every platform on the admin page
    admin.save()
    client.force_login(admin)
    page = client.get("/admin/distribution/").content.decode()
    assert "cần cấp quyền lại trước thời điểm này" in page


@pytest.mark.django_db(transaction=True)
def test_one_oa_is_never_refreshed_twice_at_once(settings, zalo_fake):
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL)")
    settings.DISTRIBUTION_HTTP_TIMEOUT = 5
    agency = Agency.objects.create(
        name="Cơ quan thử khóa",
        slug="thu-khoa",
        licence_number="1",
        licence_date=date(2020, 1, 1),
        licence_issuer="Bộ TT&TT",
        governing_body="UBND tỉnh",
        address="Thanh Hóa",
        editor_in_chief="Nguyễn Văn A",
    )
    platform = make_zalo_platform(agency, zalo_fake)
    zalo_fake.refresh_delay = 0.5  # both workers are inside the refresh at once
    errors = []

    def worker():
        try:
            platform_refresh_zalo_token(platform_id=platform.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert zalo_fake.refreshes == 1, "the second worker found the pair already renewed"
    platform.refresh_from_db()
    assert platform.credentials["refresh_token"] == zalo_fake.refresh_token
