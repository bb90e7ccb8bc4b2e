"""A staff member's first login with two-factor authentication on, in Chromium at desktop
size: enrolment QR, the code typed, ten recovery codes, the dashboard; the next login
asks the code."""

import time
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from tests.browser import chromium, new_page, shot

from .conftest import STAFF, wait_out_throttle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, steps_ahead=0) -> str:
    """What the phone's authenticator app shows for the key it was given."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_step(page, password):
    page.goto("/admin/login/")
    page.fill("#id_username", STAFF)
    page.fill("#id_password", password)
    page.click("form.login-form button[type=submit]")


def test_first_login_enrols_and_next_login_asks_the_code(
    live_server, demo, demo_password, settings
):
    from playwright.sync_api import expect

    settings.HOITU_STAFF_2FA = True
    with chromium() as browser:
        page = new_page(browser, live_server.url)
        password_step(page, demo_password)
        page.wait_for_url("**/admin/xac-thuc/dang-ky/**")
        expect(page.locator("h1")).to_have_text("Bật xác thực hai bước")
        expect(page.locator(".twofactor-qr svg")).to_be_visible()
        shot(page, "twofactor-enrol")
        secret = page.locator("#twofactor-secret").inner_text()
        page.fill("#id_code", "000000" if app_code(secret) != "000000" else "111111")
        page.click("form.login-form button[type=submit]")
        expect(page.locator(".w-field__errors")).to_contain_text("Mã không khớp")
        wait_out_throttle(get_user_model().objects.get(username=STAFF))  # django-otp's throttle
        page.fill("#id_code", app_code(secret))
        page.click("form.login-form button[type=submit]")
        expect(page.locator("#twofactor-codes li")).to_have_count(10)
        expect(page.get_by_text("Tải tệp mã khôi phục")).to_be_visible()
        expect(page.get_by_role("button", name="In mã")).to_be_visible()
        shot(page, "twofactor-recovery-codes")
        page.get_by_text("Tôi đã lưu mã, tiếp tục").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        expect(page.locator("#wagtail-sidebar, [data-side-panel], aside").first).to_be_attached()
        shot(page, "twofactor-dashboard")

        again = new_page(browser, live_server.url)
        password_step(again, demo_password)
        again.wait_for_url("**/admin/xac-thuc/?next=**")
        expect(again.locator("h1")).to_have_text("Xác thực hai bước")
        shot(again, "twofactor-second-step")
        again.fill("#id_code", app_code(secret, steps_ahead=1))
        again.click("form.login-form button[type=submit]")
        again.wait_for_url(f"{live_server.url}/admin/")
