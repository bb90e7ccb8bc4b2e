"""Second factor: TOTP devices (an authenticator app) and single-use recovery codes, both
django-otp's own models. A user needs the second step when they enrolled a device, and
every staff account needs one while HOITU_STAFF_2FA is on."""

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staffsecurity.services import is_staff_account

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã khôi phục"


def is_staff(user) -> bool:
    return user.is_active and is_staff_account(user)


def staff_required(user) -> bool:
    return bool(settings.HOITU_STAFF_2FA) and is_staff(user)


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(user) -> bool:
    """Whether this signed-in user must pass the second step before using their account."""
    return staff_required(user) or django_otp.user_has_device(user, confirmed=True)


def normalise(token: str) -> str:
    return "".join((token or "").split()).replace("-", "").lower()


class VerifyError(Exception):
    pass


def _throttled(device):
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    wait = (info["locked_until"] - timezone.now()).total_seconds() if info else 1
    return VerifyError(
        f"Bạn đã nhập sai {info['failure_count']} lần liền. "
        f"Hãy đợi {max(1, round(wait))} giây rồi thử lại."
    )


def verify(user, token: str):
    """The confirmed device that accepts this token: a 6-digit code from the
    authenticator app, or an unused recovery code (spent on use). Wrong codes count
    towards django-otp's throttling (1, 2, 4, 8… seconds between tries)."""
    token = normalise(token)
    if not token:
        raise VerifyError("Hãy nhập mã xác thực.")
    if token.isdigit() and len(token) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    refused = None
    for device in devices:
        refused = _throttled(device)
        if refused:
            continue
        if device.verify_token(token):
            return device
    raise refused or VerifyError(
        "Mã không đúng hoặc đã hết hạn. Hãy nhập mã 6 chữ số đang hiện trên ứng dụng "
        "xác thực, hoặc một mã khôi phục chưa dùng."
    )


def pending_device(user) -> TOTPDevice:
    """The authenticator being enrolled: the same key until it is confirmed, so a reload
    shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm_device(user, device: TOTPDevice, token: str) -> list[str]:
    """Confirms the enrolled authenticator with a code it shows and replaces any earlier
    device; returns the new recovery codes (shown once)."""
    refused = _throttled(device)
    if refused:
        raise refused
    if not device.verify_token(normalise(token)):
        raise VerifyError(
            "Mã không khớp. Hãy quét lại mã QR rồi nhập mã 6 chữ số đang hiện trên ứng dụng."
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    """Ten fresh single-use codes; the earlier ones stop working. The device stays (a
    session it verified stays verified)."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first()
        device = device or StaticDevice.objects.create(user=user, name=RECOVERY_NAME)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def remove_devices(user) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"
