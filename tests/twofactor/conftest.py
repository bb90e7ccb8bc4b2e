import time
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from twofactor import services

STAFF = "bientap.baothanhhoa"


def code_for(device, at=None, steps_ahead=0):
    """The 6-digit code an authenticator app shows for this device at `at` (a Unix time;
    now by default), computed with django-otp's own TOTP from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (time.time() if at is None else at) + steps_ahead * device.step
    return f"{totp.token():06d}"


def wait_out_throttle(user):
    """What waiting out django-otp's throttle after failed codes (1, 2, 4... seconds)
    does, without the wait: the last failure of each of the user's devices (the
    authenticator and the recovery codes) moved ten minutes back."""
    from datetime import timedelta

    from django.db.models import F
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(minutes=10)
        )


def clock(at):
    """django-otp's TOTP check reads this time (Unix seconds) instead of the real one."""
    return mock.patch("django_otp.plugins.otp_totp.models.time", SimpleNamespace(time=lambda: at))


@pytest.fixture
def enforced(settings):
    settings.HOITU_STAFF_2FA = True
    return settings


@pytest.fixture
def staff(demo):
    return get_user_model().objects.get(username=STAFF)


@pytest.fixture
def enrolled(staff):
    """The staff member with a confirmed authenticator and ten recovery codes."""
    device = services.pending_device(staff)
    codes = services.confirm_device(staff, device, code_for(device))
    device.refresh_from_db()
    return SimpleNamespace(user=staff, device=device, codes=codes)


def admin_login(client, username, password):
    response = client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content[:500]
    return response
