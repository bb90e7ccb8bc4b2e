"""A reader on a phone (390x844, Debian's Chromium) subscribes to the daily digest on
the outlet; the confirmation mail arrives at the local SMTP server (aiosmtpd), and
opening its link confirms. Screenshots: hoitu-newsletter-phone-signup, -confirmed."""

import re

import pytest

from newsletters.models import Subscriber, SubscriberStatus
from tests.browser import chromium, new_page, shot
from tests.paywall.conftest import BROWSER_UA
from tests.paywall.server import serve_project
from tests.paywall.test_reader_phone import assert_touch_sized

from .conftest import body_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
EMAIL = "ban.doc.dien.thoai@example.vn"


def test_phone_reader_subscribes_and_confirms_by_mail(demo, mailbox):
    # No ORM call from this thread while the browser runs: the server thread shares the
    # connection.
    with serve_project(commit_hooks=True) as base, chromium() as browser:
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        page.goto("/")
        with page.expect_navigation():
            page.locator("header a", has_text="Bản tin email").click()
        assert page.locator("h1").inner_text() == "Nhận bản tin qua email"
        page.fill("#id_email", EMAIL)
        digest = page.locator("input[name=newsletters]").first
        assert digest.is_checked()  # the daily digest is offered first
        assert_touch_sized(page, "newsletter sign-up")  # 16px text, 44px targets, no scroll
        shot(page, "newsletter-phone-signup")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "Kiểm tra hộp thư của bạn" in page.locator("main").inner_text()

        [message] = mailbox.to(EMAIL)
        link = re.search(r"https?://\S+/ban-tin/xac-nhan/\S+/", body_of(message, "plain")).group(0)
        assert link.startswith(base)
        page.goto(link)
        assert "Đã xác nhận đăng ký bản tin" in page.locator("main").inner_text()
        shot(page, "newsletter-phone-confirmed")

    subscriber = Subscriber.objects.get(email=EMAIL)
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.newsletters.filter(section__isnull=True).exists()
