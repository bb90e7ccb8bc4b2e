"""A reader on a phone (390x844) in Debian's Chromium: metered stories count down, the
home list labels paid stories, the wall leads to sign-up, the verification e-mail's link
(read from the outbox) confirms the address, a plan is bought through the local imitation
of VNPay, and the reader lands back on the story with its full text. Every input and
button of the reader forms is measured: text at least 16px (no iOS zoom), 44px tall (a
radio button's or checkbox's label is its touch target, so the label is measured)."""

import os
import re

import pytest
from django.core import mail

from paywall.models import Order, OrderStatus
from tests.browser import PHONE, SCREENSHOT_DIR, chromium, new_page, shot

from .conftest import BROWSER_UA, paid_snippets
from .server import serve_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PASSWORD = "doc-bao-moi-ngay-2026"
EMAIL = "ban.doc.dien.thoai@example.vn"

MEASURE_JS = """() => [...document.querySelectorAll(
  'main form input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main form select, main form button, main form fieldset label, main form .checkbox-list label'
)].filter(e => e.offsetParent !== null).map(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {what: e.name || e.textContent.trim().slice(0, 30), font: parseFloat(s.fontSize),
          height: r.height, width: r.width, tag: e.tagName};
})"""

WIDE_JS = """() => [...document.querySelectorAll('body *')].filter(
  e => e.getBoundingClientRect().right > window.innerWidth + 1
).slice(0, 3).map(e => e.outerHTML.slice(0, 120))"""


def assert_touch_sized(page, where):
    controls = page.evaluate(MEASURE_JS)
    assert controls, f"no form controls on {where}"
    for c in controls:
        if c["tag"] != "LABEL":
            assert c["font"] >= 16, (where, c)
        assert c["height"] >= 44, (where, c)
        assert c["width"] <= PHONE["width"], (where, c)
    # Nothing wider than the phone: no sideways scrolling.
    wide = page.evaluate(WIDE_JS)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (where, wide)


def meter_text(page):
    return page.locator(".meter-bar").inner_text()


def test_phone_reader_counts_down_signs_up_pays_and_returns_to_the_story(demo, settings):
    from newsroom.models import StoryPage
    from paywall.access import AccessLevel

    settings.DEBUG = True  # the imitation gateways exist only in DEBUG (make run)
    settings.PAYWALL_IMITATION_GATEWAYS = True
    site_root = StoryPage.objects.live().first().get_site().root_page.url_path
    metered = list(
        StoryPage.objects.live()
        .filter(url_path__startswith=site_root, access_level=AccessLevel.METERED)
        .order_by("pk")[:4]
    )
    paths = [s.get_url_parts()[2] for s in metered]
    target = metered[3]
    snippet = paid_snippets(target)[0][:40]

    # Served inside this test's transaction (no flush of the demo database afterwards).
    # No ORM call from this thread while the browser runs: the server thread shares the
    # connection.
    with serve_project(commit_hooks=True) as base, chromium() as browser:
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)

        # The home list says which stories are paid, in words.
        page.goto("/")
        assert page.locator(".card .badge-premium", has_text="Thu phí").count() >= 1
        assert page.locator(".card .badge-metered", has_text="Giới hạn").count() >= 1
        page.locator(".card", has=page.locator(".badge-metered")).first.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "hoitu-reader-phone-home-labels.png"))

        # Forms a reader meets before signing up.
        for path in ("/tai-khoan/dang-nhap/", "/tai-khoan/quen-mat-khau/"):
            page.goto(path)
            assert_touch_sized(page, path)
        shot(page, "reader-phone-password-reset")

        # Three free stories a month: the counter counts down, from the meter itself.
        page.goto(paths[0])
        assert "Bạn còn 2/3 bài miễn phí tháng này" in meter_text(page)
        response = page.goto(paths[1])
        assert "private" in response.headers["cache-control"]
        assert "Bạn còn 1/3 bài miễn phí tháng này" in meter_text(page)
        shot(page, "reader-phone-counter")
        page.goto(paths[2])
        assert "bài miễn phí cuối cùng" in meter_text(page)
        page.goto(paths[0])  # a story already read costs nothing
        assert "bài miễn phí cuối cùng" in meter_text(page)

        # The fourth: the wall, and sign-up from it.
        page.goto(paths[3])
        assert page.locator(".paywall-wall").is_visible()
        assert page.locator(".meter-bar").count() == 0
        shot(page, "reader-phone-wall")
        page.locator(".paywall-wall a", has_text="Đăng ký tài khoản").click()
        page.wait_for_url("**/tai-khoan/dang-ky/**")
        assert_touch_sized(page, "sign-up")
        # A slip: the errors are in Vietnamese, next to the fields.
        page.fill("#id_email", EMAIL)
        page.fill("#id_password1", "12345")
        page.fill("#id_password2", "123456")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        password_group = page.locator("main form div.has-error", has=page.locator("#id_password1"))
        assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in password_group.inner_text()
        repeat_group = page.locator("main form div.has-error", has=page.locator("#id_password2"))
        assert "Hai mật khẩu không khớp." in repeat_group.inner_text()
        assert_touch_sized(page, "sign-up with errors")
        shot(page, "reader-phone-signup-errors")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        # The same answer an address with an account gets: check your mail.
        assert page.locator("h1", has_text="Kiểm tra hộp thư của bạn").is_visible()
        shot(page, "reader-phone-signup-check-mail")

        # The verification e-mail (locmem outbox in tests; /dev/hop-thu/ in make run): its
        # link confirms the address and logs the reader in.
        (message,) = [m for m in mail.outbox if EMAIL in m.to]
        link = re.search(r"https?://\S+", message.body).group(0)
        page.goto(link)
        assert page.locator("h1", has_text="Đã xác nhận email").is_visible()
        page.locator("a", has_text="Đọc tiếp bài viết").click()
        page.wait_for_url(f"**{paths[3]}")
        # Signed up, the free stories are used: now the subscription wall.
        assert page.locator(".paywall-wall[data-wall=subscribe]").is_visible()

        # Choose a plan from the wall, pay through the imitation of VNPay.
        page.locator(".paywall-plans a", has_text="Chọn gói").first.click()
        page.wait_for_url("**/goi-cuoc/**")
        assert_touch_sized(page, "plans")
        shot(page, "reader-phone-plans")
        plan = page.locator("article.plan").first
        plan.locator("label", has_text="VNPay").click()
        with page.expect_navigation():
            plan.locator("button[type=submit]").click()
        assert "/thanh-toan/gia-lap/vnpay/" in page.url
        with page.expect_navigation():
            page.click("button[value=pay]")
        assert page.locator(".paywall-paid-ok").is_visible()
        shot(page, "reader-phone-paid")
        page.locator("a", has_text="Đọc tiếp bài viết").click()
        page.wait_for_url(f"**{paths[3]}")
        assert snippet in page.locator(".paywall-paid").inner_text()
        assert page.locator(".paywall-wall").count() == 0
        assert page.locator(".meter-bar").count() == 0  # subscribers see no counter
        shot(page, "reader-phone-story-after-payment")

        # The account page lists it all, at phone size too.
        page.goto("/tai-khoan/")
        shot(page, "reader-phone-account")
        assert_touch_sized(page, "account")

    order = Order.objects.get(user__email=EMAIL)
    assert order.status == OrderStatus.PAID and order.gateway == "vnpay"
