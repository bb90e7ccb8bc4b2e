"""A reader on a phone (390x844) in Debian's Chromium: signing up again with an address
that already has an account says only "check your mail" (the owner is mailed); the reader
then downloads their data from /tai-khoan/ and deletes their account with their password.
Screenshots: hoitu-reader-phone-signup-existing, -personal-data, -delete, -deleted."""

import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from paywall.models import LedgerEntry, Order
from tests.browser import SCREENSHOT_DIR, chromium, new_page, shot

from .conftest import BROWSER_UA
from .server import serve_project
from .test_reader_phone import assert_touch_sized
from .test_reader_privacy import PASSWORD, paid_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
EMAIL = "da.co.tai.khoan@example.vn"


def test_phone_reader_signup_reveals_nothing_then_downloads_and_deletes(demo):
    user, order = paid_reader(demo, EMAIL)
    pk = user.pk
    ledger_before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount"))
    mail.outbox.clear()

    # No ORM call from this thread while the browser runs: the server thread shares the
    # connection.
    with serve_project(commit_hooks=True) as base, chromium() as browser:
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)

        # Someone signs up with an address that already has an account.
        page.goto("/tai-khoan/dang-ky/")
        page.fill("#id_email", EMAIL)
        page.fill("#id_password1", "mot-mat-khau-khac-2026")
        page.fill("#id_password2", "mot-mat-khau-khac-2026")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        main = page.locator("main").inner_text()
        assert "Kiểm tra hộp thư của bạn" in main and EMAIL in main
        assert "đã được dùng" not in main and "đã có tài khoản" not in main
        shot(page, "reader-phone-signup-existing")

        # The owner logs in and finds their data on the account page.
        page.goto("/tai-khoan/dang-nhap/")
        page.fill("main input[name=username]", EMAIL)
        page.fill("main input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        heading = page.locator("h2", has_text="Dữ liệu cá nhân")
        heading.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "hoitu-reader-phone-personal-data.png"))
        with page.expect_download() as info:
            page.locator("a", has_text="Tải dữ liệu của tôi").click()
        download = info.value
        assert download.suggested_filename.startswith("du-lieu-ca-nhan-")
        with open(download.path(), encoding="utf-8") as handle:
            data = json.load(handle)
        assert data["tài khoản"]["địa chỉ email"] == EMAIL
        orders = next(s for s in data["dữ liệu"] if s["bảng"] == "paywall.Order")
        assert orders["bản ghi"][0]["mã đơn"] == order.reference

        # Deletion: what goes and what stays, then the password.
        with page.expect_navigation():
            page.locator("a", has_text="Xóa tài khoản").click()
        assert page.locator("h2", has_text="Sẽ bị xóa").is_visible()
        assert page.locator("h2", has_text="Được giữ lại, không còn gắn với bạn").is_visible()
        assert_touch_sized(page, "delete account")
        page.fill("main input[name=password]", "sai-mat-khau-2026")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "Mật khẩu không đúng: tài khoản chưa bị xóa." in page.locator("main").inner_text()
        shot(page, "reader-phone-delete")
        page.fill("main input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.locator("h1", has_text="Đã xóa tài khoản").is_visible()
        shot(page, "reader-phone-deleted")
        page.goto("/tai-khoan/")
        assert "/tai-khoan/dang-nhap/" in page.url

    assert not get_user_model().objects.filter(pk=pk).exists()
    order.refresh_from_db()
    assert order.user_id is None and order.amount and order.reference
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")) == ledger_before
    assert Order.objects.filter(reference=order.reference).count() == 1
    subjects = [m.subject for m in mail.outbox if m.to == [EMAIL]]
    assert subjects == [
        "Có người vừa đăng ký bằng email của bạn",
        "Tài khoản độc giả của bạn đã được xóa",
    ]
