"""Web push in Debian's Chromium. A reader on a phone: the "Nhận tin nóng" button, hidden
where the browser has no Push API, a clear Vietnamese message when the browser cannot
reach a push service (none is reachable here) or notifications are refused. The service
worker's handlers (push/static/push/sw-push.js, imported by the site's service worker
/sw.js): a message encrypted for a browser and accepted by the imitation push service is
delivered into the worker with CDP's ServiceWorker.deliverPushMessage; the notification
shows (registration.getNotifications()) and its receipt reaches the site. The
editor-in-chief at desktop size: the story's "Gửi tin nóng", the confirmation, the alert
page with its figures. Screenshots: hoitu-push-*.png."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from push import services
from push.models import Alert, Delivery, DeliveryStatus
from tests.browser import chromium, footer_action, new_page, shot, staff_page, wait_until
from tests.paywall.conftest import BROWSER_UA
from tests.paywall.server import serve_project

from .test_push import _site, _story, _subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# The reader site's own service worker (offline/), which imports push/sw-push.js.
WORKER = "/sw.js"


@pytest.fixture
def test_worker(settings):
    settings.PUSH_SERVICE_WORKER_URL = WORKER


def test_phone_reader_button_says_why_it_cannot_subscribe(demo, test_worker, settings):
    with serve_project() as base, chromium() as browser:
        # Notifications allowed, but no push service reachable from this machine.
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        page.context.grant_permissions(["notifications"], origin=base)
        page.goto("/")
        button = page.locator("[data-push-toggle]")
        assert button.is_visible() and button.inner_text() == "Nhận tin nóng"
        shot(page, "push-phone-button")
        button.click()
        status = page.locator("[data-push-status]")
        wait_until(page, "document.querySelector('[data-push-status]').textContent.length > 20")
        assert "chưa kết nối được dịch vụ thông báo" in status.inner_text()
        assert button.get_attribute("aria-pressed") == "false"
        shot(page, "push-phone-no-service")

        # Notifications refused.
        refused = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        refused.goto("/")
        refused.evaluate("Notification.requestPermission = () => Promise.resolve('denied')")
        refused.locator("[data-push-toggle]").click()
        wait_until(refused, "document.querySelector('[data-push-status]').textContent.length > 20")
        assert "Bạn chưa cho phép trang báo gửi thông báo" in refused.inner_text(
            "[data-push-status]"
        )

        # The site's service worker missing (a 404): said plainly, not the browser's English.
        settings.PUSH_SERVICE_WORKER_URL = "/sw-khong-co.js"
        missing = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        missing.context.grant_permissions(["notifications"], origin=base)
        missing.goto("/")
        missing.locator("[data-push-toggle]").click()
        wait_until(missing, "document.querySelector('[data-push-status]').textContent.length > 20")
        assert "Trang báo chưa sẵn sàng gửi thông báo" in missing.inner_text("[data-push-status]")

        # A browser without the Push API: no button at all.
        old = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        old.add_init_script("delete window.PushManager")
        old.goto("/")
        assert old.locator("[data-push]").count() == 1
        assert not old.locator("[data-push]").is_visible()
        assert not old.locator("[data-push-toggle]").is_visible()


def test_service_worker_shows_the_alert_and_reports_it(
    demo, push_service, test_worker, demo_password
):
    site = _site("baothanhhoa")
    _subscribe(push_service, site, ("dien-thoai",))
    story = _story(site)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.alert_create(
            user=get_user_model().objects.get(username="tongbientap.baothanhhoa"),
            story=story,
            title="Khẩn: Bão số 5 đổ bộ Thanh Hóa",
            body="Sơ tán người dân vùng trũng ven biển trước 17 giờ",
            nonce=uuid.uuid4(),
        )
    alert_id = Alert.objects.values_list("pk", flat=True).get()
    [message] = push_service.received  # checked and decrypted by the imitation service
    payload = message["payload"]
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.delivered_at is None

    with serve_project() as base, chromium() as browser:
        # The site answers here on another port than its root_url: the same addresses on
        # this origin (the worker follows only its own site's).
        data = json.dumps(
            {
                k: v.replace(site.root_url, base) if isinstance(v, str) else v
                for k, v in payload.items()
            },
            ensure_ascii=False,
        )
        page = new_page(browser, base, phone=True, user_agent=BROWSER_UA)
        page.context.grant_permissions(["notifications"], origin=base)
        page.goto("/")
        cdp = page.context.new_cdp_session(page)
        registrations = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda e: registrations.extend(e["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        scope = page.evaluate(
            f"navigator.serviceWorker.register('{WORKER}')"
            ".then(() => navigator.serviceWorker.ready).then(r => r.scope)"
        )
        assert scope == base + "/"
        wait_until(page, "true")  # let the registration event arrive
        [registration_id] = {r["registrationId"] for r in registrations if r["scopeURL"] == scope}
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": base, "registrationId": registration_id, "data": data},
        )
        shown = "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.map(x => [x.title, x.body, x.tag, x.data.url]))"
        for _ in range(100):
            notifications = page.evaluate(shown)
            if notifications:
                break
            page.wait_for_timeout(100)
        assert notifications == [
            [
                "Khẩn: Bão số 5 đổ bộ Thanh Hóa",
                "Sơ tán người dân vùng trũng ven biển trước 17 giờ",
                f"tin-nong-{alert_id}",
                payload["url"].replace(site.root_url, base),
            ]
        ]
        shot(page, "push-phone-worker")
        # The worker's receipt reaches the site: the alert's admin page counts it.
        staff = staff_page(browser, base, "tongbientap.baothanhhoa", demo_password)
        for _ in range(50):
            staff.goto(f"/admin/tin-nong/{alert_id}/")
            if staff.inner_text("[data-figure=delivered]") == "1":
                break
            staff.wait_for_timeout(200)
        assert staff.inner_text("[data-figure=delivered]") == "1"
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None


def test_editor_in_chief_sends_an_alert_from_the_story(demo, push_service, demo_password):
    site = _site("baothanhhoa")
    _subscribe(push_service, site, ("an",), ("binh",), ("het-han", 410))
    story = _story(site)
    with TestCase.captureOnCommitCallbacks(execute=True):
        with serve_project() as base, chromium() as browser:
            page = staff_page(browser, base, "tongbientap.baothanhhoa", demo_password)
            page.goto(f"/admin/pages/{story.pk}/edit/")
            with page.expect_navigation():  # in the footer's action menu of the story
                footer_action(page, f"footer a[href='/admin/tin-nong/gui/{story.pk}/']")
            assert page.locator("[data-testid=push-subscribers]").inner_text() == "3"
            page.fill("#id_title", "Khẩn: Bão số 5 đổ bộ Thanh Hóa")
            page.fill("#id_body", "Sơ tán người dân vùng trũng ven biển trước 17 giờ")
            shot(page, "push-admin-write")
            with page.expect_navigation():
                page.click("button:has-text('Xem trước và xác nhận')")
            assert "Thông báo sẽ gửi tới 3 trình duyệt" in page.inner_text("main")
            shot(page, "push-admin-confirm")
            with page.expect_navigation():
                page.click("button:has-text('Xác nhận gửi')")
            assert "Đang gửi tin nóng" in page.inner_text("body")
    # Sent after the commit (Celery, eager here); the alert's page counts the reach.
    assert sorted(m["browser"] for m in push_service.received) == ["an", "binh"]
    alert = Alert.objects.get()
    with serve_project() as base, chromium() as browser:
        page = staff_page(browser, base, "tongbientap.baothanhhoa", demo_password)
        page.goto(f"/admin/tin-nong/{alert.pk}/")
        figure = lambda name: page.inner_text(f"[data-figure={name}]")  # noqa: E731
        assert (figure("sent"), figure("expired"), figure("failed"), figure("pending")) == (
            "2",
            "1",
            "0",
            "0",
        )
        assert page.inner_text("[data-testid=push-status]") == "Đã gửi xong"
        shot(page, "push-admin-alert")
        page.goto("/admin/tin-nong/")
        assert "Khẩn: Bão số 5 đổ bộ Thanh Hóa" in page.inner_text("main")
