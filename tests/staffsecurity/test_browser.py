"""In Chromium: the lockout page a sprayer meets at the admin login (desktop) and at the
reader login (phone), and the expired-session message, all in Vietnamese."""

import pytest
from axes.utils import reset
from django.contrib.sessions.backends.db import SessionStore

from staffsecurity.sessions import SEEN_AT
from tests.browser import chromium, new_page, shot, staff_page, wait_until
from tests.i18n.english import english_words

from .conftest import STAFF


def spray(page, path, field_prefix=""):
    page.goto(path)
    for i in range(20):
        page.fill(f"{field_prefix}input[name=username]", STAFF[i % 11])
        page.fill(f"{field_prefix}input[name=password]", "doan-sai")
        with page.expect_navigation():
            page.click(f"{field_prefix}form button[type=submit]")


@pytest.mark.browser
def test_lockout_pages_and_expired_session(live_server, demo, demo_password):
    with chromium() as browser:
        page = new_page(browser, live_server.url)
        spray(page, "/admin/login/")
        text = page.inner_text("body")
        assert "Tạm khóa đăng nhập" in text and "thử lại sau" in text
        assert not english_words(text), english_words(text)
        shot(page, "staffsecurity-lockout-admin")

        reset(ip="127.0.0.1")  # as `manage.py axes_reset_ip` would: both run from here
        phone = new_page(browser, live_server.url, phone=True)
        spray(phone, "/tai-khoan/dang-nhap/", "main ")
        text = phone.inner_text("main")
        assert "Tạm khóa đăng nhập" in text and not english_words(text)
        shot(phone, "staffsecurity-lockout-reader")

        reset(ip="127.0.0.1")
        staff = staff_page(browser, live_server.url, "bientap.baothanhhoa", demo_password)
        cookie = next(c for c in staff.context.cookies() if c["name"] == "sessionid")
        session = SessionStore(session_key=cookie["value"])
        session[SEEN_AT] -= 31 * 60
        session.save()
        staff.goto("/admin/")
        staff.wait_for_url("**/admin/login/**")
        assert "Phiên làm việc đã hết hạn" in staff.inner_text(".messages")
        # Wagtail slides its messages in: the picture once they are in place.
        wait_until(staff, "document.getAnimations().every(a => a.playState !== 'running')")
        shot(staff, "staffsecurity-session-expired")
