"""Two-factor authentication of staff in the Wagtail admin: with HOITU_STAFF_2FA on, a
password alone opens no admin page; the second step takes the authenticator's code or a
recovery code once; enrolment is forced; changing the second factor asks the password
and a current code again."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support import production_env
from twofactor import services

from .conftest import STAFF, admin_login, clock, code_for, wait_out_throttle

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
VERIFY = "/admin/xac-thuc/"
ENROL = "/admin/xac-thuc/dang-ky/"
MANAGE = "/admin/xac-thuc/quan-ly/"


def test_password_alone_opens_no_admin_page(enforced, enrolled, demo_password):
    client = Client()
    admin_login(client, STAFF, demo_password)
    for path in ["/admin/", "/admin/pages/", "/admin/images/", MANAGE]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY + "?next="), path
    # Nor anything outside the admin: the half-signed-in session counts as nobody.
    account = client.get("/tai-khoan/")
    assert account.status_code == 302 and "/tai-khoan/dang-nhap/" in account["Location"]
    # The second step itself answers, in Vietnamese.
    page = client.get(VERIFY + "?next=/admin/pages/")
    assert page.status_code == 200
    assert "nhập mã 6 chữ số" in page.content.decode()
    # with the admin's icons and translations, which every admin page fetches
    assert client.get("/admin/sprite/").status_code == 200
    assert client.get("/admin/jsi18n/").status_code == 200


def test_right_code_passes_and_cannot_be_replayed(enforced, enrolled, demo_password):
    device, at = enrolled.device, time.time() + 90
    client = Client()
    admin_login(client, STAFF, demo_password)
    session_before = client.session.session_key
    with clock(at):
        response = client.post(VERIFY, {"code": code_for(device, at), "next": "/admin/pages/"})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.session.session_key != session_before  # a new session after the step
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/pages/", follow=True).status_code == 200
    # The same code again, from another login in the same 30 s: refused.
    other = Client()
    admin_login(other, STAFF, demo_password)
    with clock(at):
        again = other.post(VERIFY, {"code": code_for(device, at)})
    assert again.status_code == 200 and "Mã không đúng" in again.content.decode()
    assert other.get("/admin/").status_code == 302


def test_wrong_code_refused_in_vietnamese_then_throttled(enforced, enrolled, demo_password):
    device, at = enrolled.device, time.time() + 90
    client = Client()
    admin_login(client, STAFF, demo_password)
    stale = code_for(device, at - 5 * device.step)  # a code from 2½ minutes ago
    with clock(at):
        response = client.post(VERIFY, {"code": stale})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in html
    assert client.get("/admin/").status_code == 302
    # Right after a failure even the right code waits (django-otp's throttling: 1, 2,
    # 4… seconds between tries), and says so.
    with clock(at):
        throttled = client.post(VERIFY, {"code": code_for(device, at)})
    assert "Hãy đợi" in throttled.content.decode()
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_recovery_code_works_once(enforced, enrolled, demo_password):
    code = services.display_code(enrolled.codes[0])
    client = Client()
    admin_login(client, STAFF, demo_password)
    response = client.post(VERIFY, {"code": code.upper(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "còn 9 mã" in dashboard.content.decode()
    assert not StaticToken.objects.filter(token=enrolled.codes[0]).exists()
    second = Client()
    admin_login(second, STAFF, demo_password)
    refused = second.post(VERIFY, {"code": code})
    assert refused.status_code == 200 and "Mã không đúng" in refused.content.decode()
    assert second.get("/admin/").status_code == 302


def test_enrolment_is_forced_at_first_login(enforced, staff, demo_password):
    assert not TOTPDevice.objects.filter(user=staff).exists()
    client = Client()
    admin_login(client, STAFF, demo_password)
    to_verify = client.get("/admin/")
    assert to_verify["Location"].startswith(VERIFY)
    to_enrol = client.get(to_verify["Location"])
    assert to_enrol.status_code == 302 and to_enrol["Location"].startswith(ENROL)
    page = client.get(to_enrol["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "Google Authenticator" in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r'id="twofactor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret == services.secret_text(device)
    # A wrong code changes nothing.
    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "Mã không khớp" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    wait_out_throttle(staff)  # django-otp's throttle after one failure
    done = client.post(ENROL, {"code": code_for(device), "next": "/admin/"})
    html = done.content.decode()
    assert done.status_code == 200 and "chỉ hiện một lần" in html
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html)
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert {c.replace("-", "") for c in shown} == stored
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    # The codes are not shown again: the enrolment page now leads to management.
    assert client.get(ENROL)["Location"] == MANAGE


def test_changing_the_second_factor_asks_password_and_code(enforced, enrolled, demo_password):
    client = Client()
    admin_login(client, STAFF, demo_password)
    client.post(VERIFY, {"code": enrolled.codes[0]})
    assert client.get("/admin/").status_code == 200
    account = client.get("/admin/account/").content.decode()
    assert "Thao tác khác" in account and MANAGE in account
    assert client.get(MANAGE).status_code == 200
    old_codes = set(enrolled.codes[1:])
    # A verified session alone is not enough: wrong password, or no current code.
    for data in (
        {"password": "sai-mat-khau-2026", "code": enrolled.codes[1], "action": "tao-lai-ma"},
        {"password": demo_password, "code": "", "action": "tao-lai-ma"},
        {"password": demo_password, "code": "123456", "action": "doi-thiet-bi"},
    ):
        response = client.post(MANAGE, data)
        assert response.status_code == 200
        assert re.search("Mật khẩu không đúng|Hãy nhập mã|Mã không đúng", response.content.decode())
    assert (
        set(StaticToken.objects.filter(device__user=enrolled.user).values_list("token", flat=True))
        == old_codes
    )
    # Nor does the enrolment page hand out a new QR code without it.
    assert client.get(ENROL)["Location"] == MANAGE
    wait_out_throttle(enrolled.user)  # the throttle of the failures above
    regenerated = client.post(
        MANAGE, {"password": demo_password, "code": enrolled.codes[2], "action": "tao-lai-ma"}
    )
    assert regenerated.status_code == 200 and "chỉ hiện một lần" in regenerated.content.decode()
    new = set(
        StaticToken.objects.filter(device__user=enrolled.user).values_list("token", flat=True)
    )
    assert len(new) == 10 and not new & old_codes
    # Staff cannot remove it while it is enforced...
    refused = client.post(MANAGE, {"password": demo_password, "code": new.pop(), "action": "go-bo"})
    assert "không thể gỡ bỏ" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=enrolled.user, confirmed=True).count() == 1
    # ...but can move to a new phone: a new key, the old one stops working once confirmed.
    moved = client.post(
        MANAGE, {"password": demo_password, "code": new.pop(), "action": "doi-thiet-bi"}
    )
    assert moved["Location"] == ENROL
    assert client.get(ENROL).status_code == 200
    fresh = TOTPDevice.objects.get(user=enrolled.user, confirmed=False)
    assert fresh.key != enrolled.device.key
    assert client.post(ENROL, {"code": code_for(fresh)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=enrolled.user)) == [fresh]


def test_admin_login_page_says_when_it_is_off(settings):
    settings.HOITU_STAFF_2FA = False
    assert (
        "Bản chạy thử: xác thực hai bước đang tắt" in Client().get("/admin/login/").content.decode()
    )
    settings.HOITU_STAFF_2FA = True
    assert "xác thực hai bước đang tắt" not in Client().get("/admin/login/").content.decode()


def test_off_staff_log_in_with_password_alone(settings, staff, demo_password):
    settings.HOITU_STAFF_2FA = False
    client = Client()
    admin_login(client, STAFF, demo_password)
    assert client.get("/admin/").status_code == 200


def _settings_value(module, expression, **env):
    overrides = env
    env = production_env(DJANGO_SETTINGS_MODULE=module, **overrides)
    if "HOITU_UNSAFE_STAFF_WITHOUT_2FA" not in overrides:
        env.pop("HOITU_UNSAFE_STAFF_WITHOUT_2FA", None)
    code = f"import django; django.setup()\nfrom django.conf import settings\nprint({expression})\n"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_production_settings_enforce_it():
    assert _settings_value("config.settings.production", "settings.HOITU_STAFF_2FA") == "True"
    assert _settings_value("config.settings.dev", "settings.HOITU_STAFF_2FA") == "False"
    # Only an explicit, documented-unsafe variable turns it off, and the deploy check says so.
    check = (
        "[m.id for m in __import__('django.core.checks', fromlist=['run_checks'])"
        ".run_checks(include_deployment_checks=True) if m.id.startswith('twofactor')]"
    )
    assert _settings_value("config.settings.production", check) == "[]"
    assert (
        _settings_value("config.settings.production", check, HOITU_UNSAFE_STAFF_WITHOUT_2FA="1")
        == "['twofactor.W001']"
    )
