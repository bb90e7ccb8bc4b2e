"""Breaking-news web push against an imitation push service on 127.0.0.1 (service.py)
that checks the VAPID signature (RFC 8292) and decrypts each message (RFC 8291): readers'
subscriptions validated and kept per outlet; an editor-in-chief's alert for a published
story, written then confirmed; sent by Celery once per subscription however often the
tasks run; 404/410 delete the subscription, 429/5xx/timeouts are retried with backoff,
other refusals fail; receipts, clicks and every outcome counted in analytics."""

import datetime
import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.utils import timezone
from wagtail.models import Site

from analytics import services as analytics
from analytics.models import Channel, Dimension, Event, Granularity, Rollup
from newsroom.models import Outlet, StoryPage
from push import services, tasks
from push.models import Alert, AlertStatus, Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db

User = get_user_model()


def _site(agency_slug: str) -> Site:
    return Outlet.objects.filter(agency__slug=agency_slug).select_related("site").first().site


def _story(site) -> StoryPage:
    return StoryPage.objects.live().descendant_of(site.root_page).order_by("-first_published_at")[0]


def _host(site) -> str:
    return site.hostname if site.port in (80, 443) else f"{site.hostname}:{site.port}"


def _post_json(client, url, data, site, **headers):
    origin = f"http://{_host(site)}"
    return client.post(
        url,
        data=json.dumps(data) if not isinstance(data, (bytes, str)) else data,
        content_type="application/json",
        HTTP_HOST=_host(site),
        HTTP_ORIGIN=headers.pop("origin", origin),
        **headers,
    )


def _events(**filters):
    """The analytics events written so far (the Redis buffer emptied first)."""
    from analytics import buffer

    if buffer.enabled():
        analytics.events_flush()
    return Event.objects.filter(channel=Channel.PUSH, **filters)


def _subscribe(service, site, *names_and_answers):
    for name, *answers in names_and_answers:
        browser = service.browser(name, *answers)
        services.subscribe(site=site, data=browser.subscription(service))


def _send_as(username, story, title="Bão số 5 đổ bộ Thanh Hóa", body="Sơ tán dân ven biển"):
    """The editor-in-chief's two steps in the admin: preview, then confirm."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    url = f"/admin/tin-nong/gui/{story.pk}/"
    preview = client.post(url, {"step": "preview", "title": title, "body": body})
    assert preview.status_code == 200, preview.content[:500]
    page = preview.content.decode()
    assert "Xác nhận gửi" in page and title in page
    nonce = page.split('name="nonce" value="', 1)[1].split('"', 1)[0]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the queued task runs (eager)
        done = client.post(url, {"step": "confirm", "title": title, "body": body, "nonce": nonce})
    return client, done, nonce


# --- Subscribing ------------------------------------------------------------------------


def test_subscription_is_validated_and_kept_per_outlet(demo, push_service, client, settings):
    site, other = _site("baothanhhoa"), _site("ptth")
    browser = push_service.browser("dien-thoai-lan")
    good = browser.subscription(push_service)

    created = _post_json(client, "/tin-nong/dang-ky/", good, site)
    assert created.status_code == 201, created.content
    assert "Đã bật nhận tin nóng" in created.json()["message"]
    again = _post_json(client, "/tin-nong/dang-ky/", good, site)
    assert again.status_code == 200
    assert Subscription.objects.filter(endpoint=good["endpoint"]).count() == 1
    # The same browser on another outlet is another subscription.
    assert _post_json(client, "/tin-nong/dang-ky/", good, other).status_code == 201
    assert set(
        Subscription.objects.filter(endpoint=good["endpoint"]).values_list("site_id", flat=True)
    ) == {site.pk, other.pk}
    kept = Subscription.objects.get(site=site, endpoint=good["endpoint"])
    assert (kept.p256dh, kept.auth) == (good["keys"]["p256dh"], good["keys"]["auth"])

    def refused(data, message, status=400, **headers):
        before = Subscription.objects.count()
        answer = _post_json(client, "/tin-nong/dang-ky/", data, site, **headers)
        assert answer.status_code == status, answer.content
        assert message in answer.json()["error"]
        assert Subscription.objects.count() == before  # nothing stored

    bad_point = good["keys"]["p256dh"][:-4] + "AAAA"  # 65 bytes, not on the curve
    refused({**good, "keys": {**good["keys"], "p256dh": bad_point}}, "Khóa p256dh")
    refused({**good, "keys": {**good["keys"], "p256dh": "BAAA"}}, "Khóa p256dh")
    refused({**good, "keys": {**good["keys"], "auth": "ngắn"}}, "Khóa auth")
    refused({**good, "keys": {"auth": good["keys"]["auth"]}}, "Khóa p256dh")
    refused({"endpoint": good["endpoint"]}, "Thiếu khóa mã hóa")
    refused({**good, "endpoint": "https://may-chu-noi-bo.example.vn/push/1"}, "chưa hỗ trợ")
    refused({**good, "endpoint": "javascript:alert(1)"}, "không hợp lệ")
    refused({**good, "endpoint": "ftp://127.0.0.1/push/1"}, "https")
    refused({**good, "endpoint": good["endpoint"] + "\x00"}, "không hợp lệ")
    refused({**good, "endpoint": "https://user:pw@127.0.0.1/push/1"}, "không hợp lệ")
    refused("{không phải json", "JSON")
    refused(good, "Yêu cầu không đến từ trang báo này", 403, origin="https://ke-gian.example.com")
    # Production's rule: https only, even for a listed host.
    settings.PUSH_ALLOW_LOOPBACK_HTTP = False
    refused({**good, "endpoint": good["endpoint"] + "-2"}, "https")
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    # A real push service address passes with the default list.
    settings.PUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    fcm = {**good, "endpoint": "https://fcm.googleapis.com/fcm/send/dXJ0aGVy:APA91b"}
    assert _post_json(client, "/tin-nong/dang-ky/", fcm, site).status_code == 201
    # Sign-ups per address and hour are limited.
    settings.PUSH_SUBSCRIBES_PER_HOUR = 0
    refused({**good, "endpoint": good["endpoint"] + "-3"}, "thử lại sau", 429)

    # Turning it off on this browser removes it from this outlet only.
    settings.PUSH_SUBSCRIBES_PER_HOUR = 100
    off = _post_json(client, "/tin-nong/huy/", {"endpoint": good["endpoint"]}, site)
    assert off.status_code == 200 and "Đã tắt" in off.json()["message"]
    assert list(
        Subscription.objects.filter(endpoint=good["endpoint"]).values_list("site_id", flat=True)
    ) == [other.pk]


def test_the_reader_site_offers_the_button_without_inline_script(demo, client):
    page = client.get("/")
    html = page.content.decode()
    assert "data-push-toggle" in html and "Nhận tin nóng" in html
    assert "/static/push/push.js" in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "<script>" not in html


# --- Sending ----------------------------------------------------------------------------


def test_an_alert_reaches_each_browser_of_the_outlet_once(demo, push_service, settings):
    site, other = _site("baothanhhoa"), _site("ptth")
    _subscribe(push_service, site, ("an",), ("binh",), ("chi",))
    _subscribe(push_service, other, ("khac-co-quan",))
    story = _story(site)

    client, done, nonce = _send_as("tongbientap.baothanhhoa", story)
    alert = Alert.objects.get(nonce=nonce)
    assert done.status_code == 302 and done["Location"] == f"/admin/tin-nong/{alert.pk}/"

    assert push_service.rejected == []
    assert sorted(m["browser"] for m in push_service.received) == ["an", "binh", "chi"]
    message = push_service.messages_for("an")[0]
    assert message["payload"]["title"] == "Bão số 5 đổ bộ Thanh Hóa"
    assert message["payload"]["body"] == "Sơ tán dân ven biển"
    assert message["payload"]["url"].startswith(site.root_url + "/tin-nong/mo/")
    assert message["payload"]["receipt"].startswith(site.root_url + "/tin-nong/nhan/")
    assert message["urgency"] == "high" and message["ttl"] == settings.PUSH_TTL_SECONDS
    assert message["claims"]["sub"] == settings.HOITU_VAPID_SUBJECT
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENT and alert.url == story.get_full_url()
    from audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="push.alert_sent", object_id=str(alert.pk))
    assert entry.actor.username == "tongbientap.baothanhhoa"

    # Pressing "Xác nhận gửi" again, the tasks running again, the sweep: nothing more.
    url = f"/admin/tin-nong/gui/{story.pk}/"
    again = client.post(
        url,
        {"step": "confirm", "title": alert.title, "body": alert.body, "nonce": nonce},
    )
    assert again.status_code == 302 and Alert.objects.count() == 1
    tasks.send_alert.delay(alert.pk)
    tasks.send_batch.delay(list(alert.deliveries.values_list("pk", flat=True)))
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.SENDING)
    services.sweep(now=timezone.now() + datetime.timedelta(hours=1))
    assert len(push_service.received) == 3
    assert alert.deliveries.count() == 3
    assert set(alert.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # The admin page and analytics say so.
    detail = client.get(f"/admin/tin-nong/{alert.pk}/").content.decode()
    assert 'data-figure="sent">3<' in detail and 'data-figure="expired">0<' in detail
    sent = _events(kind="push_sent", page_id=story.pk)
    assert sent.count() == 3 and set(sent.values_list("site_id", flat=True)) == {site.pk}


def test_expired_retried_and_failed_subscriptions(demo, push_service, settings):
    site = _site("baothanhhoa")
    settings.PUSH_RETRY_BASE_SECONDS = 60
    settings.PUSH_MAX_ATTEMPTS = 3
    _subscribe(
        push_service,
        site,
        ("het-han-410", 410),
        ("khong-con-404", 404),
        ("qua-tai-429", 429),
        ("loi-500-roi-duoc", 500),
        ("cham-qua", "hang"),
        ("loi-mai", 500, 503, 500),
        ("sai-yeu-cau", 400),
        ("binh-thuong",),
    )
    gone = {
        name: Subscription.objects.get(endpoint__endswith=f"/push/{name}").pk
        for name in ("het-han-410", "khong-con-404")
    }
    story = _story(site)
    with TestCase.captureOnCommitCallbacks(execute=True):
        alert, created = services.alert_create(
            user=User.objects.get(username="tongbientap.baothanhhoa"),
            story=story,
            title="Lũ quét ở Mường Lát",
            body="Quốc lộ 15C sạt lở, tạm cấm đường",
            nonce=uuid.uuid4(),
        )
    assert created

    # 410 and 404: the subscription is gone, its row says expired.
    for pk in gone.values():
        assert not Subscription.objects.filter(pk=pk).exists()
    expired = Delivery.objects.filter(alert=alert, status=DeliveryStatus.EXPIRED)
    assert expired.count() == 2 and set(expired.values_list("subscription", flat=True)) == {None}
    assert [m["browser"] for m in push_service.received] == ["binh-thuong"]
    failed = Delivery.objects.filter(alert=alert, status=DeliveryStatus.FAILED)
    assert failed.count() == 1 and failed.get().error.startswith("400")  # not retried

    # 429, 500 and the timeout wait with backoff (429's Retry-After: 1 s, less than 60 s).
    waiting = Delivery.objects.filter(alert=alert, status=DeliveryStatus.PENDING)
    assert waiting.count() == 4
    now = timezone.now()
    for delivery in waiting:
        assert delivery.attempts == 1
        assert now + datetime.timedelta(seconds=50) < delivery.next_attempt_at
        assert delivery.next_attempt_at < now + datetime.timedelta(seconds=61)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENDING

    # The sweep before the backoff: nothing is due.
    assert services.sweep(now=now)["retry"] == []
    # After it, the second attempt: 429, 500-then-ok and the slow one succeed.
    push_service.hang_seconds = 0
    due = services.sweep(now=now + datetime.timedelta(seconds=61))["retry"]
    assert len(due) == 4
    _send_due(due, now + datetime.timedelta(seconds=61))
    assert sorted(m["browser"] for m in push_service.received) == [
        "binh-thuong",
        "cham-qua",
        "loi-500-roi-duoc",
        "qua-tai-429",
    ]
    again = Delivery.objects.get(alert=alert, status=DeliveryStatus.PENDING)
    assert again.attempts == 2  # loi-mai: 500 then 503; waits 2 minutes now
    assert again.next_attempt_at > timezone.now() + datetime.timedelta(seconds=110)
    # Third and last attempt (PUSH_MAX_ATTEMPTS=3): failed for good, never sent.
    due = services.sweep(now=now + datetime.timedelta(minutes=5))["retry"]
    _send_due(due, now + datetime.timedelta(minutes=5))
    assert Delivery.objects.get(pk=again.pk).status == DeliveryStatus.FAILED
    assert push_service.requests.count(("loi-mai", 500)) == 2
    assert push_service.messages_for("loi-mai") == []
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENT

    # Nobody got it twice; the counts agree everywhere.
    names = [m["browser"] for m in push_service.received]
    assert len(names) == len(set(names)) == 4
    from push.selectors import alert_figures

    figures = alert_figures(alert)
    assert (figures["sent"], figures["failed"], figures["expired"], figures["pending"]) == (
        4,
        2,
        2,
        0,
    )
    kinds = _events(page_id=story.pk)
    assert kinds.filter(kind="push_sent").count() == 4
    assert kinds.filter(kind="push_failed").count() == 2
    assert kinds.filter(kind="push_expired").count() == 2
    assert push_service.rejected == []


def _delivery_ids_for(alert, name):
    return [
        d.pk
        for d in alert.deliveries.select_related("subscription")
        if d.subscription and d.subscription.endpoint.endswith(f"/push/{name}")
    ]


def _send_due(ids, when):
    """The sweep's batches at `when` (the claim compares next_attempt_at with the clock)."""
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    for batch in services.batches(ids):
        tasks.send_batch.delay(batch)


def test_receipt_and_click_are_counted_once_into_analytics(demo, push_service, client):
    site = _site("baothanhhoa")
    _subscribe(push_service, site, ("doc-gia",))
    story = _story(site)
    _send_as("tongbientap.baothanhhoa", story)
    payload = push_service.messages_for("doc-gia")[0]["payload"]
    delivery = Delivery.objects.get()
    host = _host(site)
    receipt = payload["receipt"].split(site.root_url, 1)[1]
    click = payload["url"].split(site.root_url, 1)[1]

    for _ in range(2):
        assert client.post(receipt, HTTP_HOST=host).status_code == 200
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    opened = client.get(click, HTTP_HOST=host)
    assert opened.status_code == 302 and opened["Location"] == story.get_full_url()
    client.get(click, HTTP_HOST=host)
    delivery.refresh_from_db()
    assert delivery.clicked_at is not None
    events = _events(page_id=story.pk)
    assert events.filter(kind="push_delivered").count() == 1
    assert events.filter(kind="push_click").count() == 1

    # Forged or altered tokens: nothing counted, no redirect anywhere.
    assert client.post("/tin-nong/nhan/gia-mao/", HTTP_HOST=host).status_code == 404
    assert client.get(click[:-3] + "xx/", HTTP_HOST=host).status_code == 404

    # The rollup counts each outcome on the story, its outlet and the `push` channel.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    analytics.rollup_compute(granularity=Granularity.HOUR, bucket=hour)
    total = Rollup.objects.get(
        granularity=Granularity.HOUR, bucket=hour, site_id=site.pk, dimension=Dimension.TOTAL
    )
    assert (total.push_sent, total.push_delivered, total.push_clicks) == (1, 1, 1)
    channel = Rollup.objects.get(
        granularity=Granularity.HOUR,
        bucket=hour,
        site_id=site.pk,
        dimension=Dimension.CHANNEL,
        key="push",
    )
    assert channel.push_sent == 1
    story_row = Rollup.objects.get(
        granularity=Granularity.HOUR, bucket=hour, dimension=Dimension.STORY, key=str(story.pk)
    )
    assert story_row.push_delivered == 1


# --- Who may send -----------------------------------------------------------------------


def test_only_the_editor_in_chief_of_the_story_agency_sends(demo, push_service):
    site, other = _site("baothanhhoa"), _site("ptth")
    _subscribe(push_service, site, ("mot",))
    story, foreign = _story(site), _story(other)

    def get(username, page):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client.get(f"/admin/tin-nong/gui/{page.pk}/")

    form = get("tongbientap.baothanhhoa", story)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Gửi tin nóng" in html and story.get_full_url() in html
    assert 'data-testid="push-subscribers">1<' in html

    def refused(answer):  # Wagtail's admin answers a PermissionDenied with its home page
        return answer.status_code == 302 and answer["Location"] == "/admin/"

    for username in ("bientap.baothanhhoa", "thuky.baothanhhoa", "phongvien.baothanhhoa"):
        assert refused(get(username, story)), username
    assert refused(get("tongbientap.baothanhhoa", foreign))
    assert get("tongbientap.ptth", foreign).status_code == 200
    anonymous = Client().get(f"/admin/tin-nong/gui/{story.pk}/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    # The action is offered on the story's edit page to the one who may use it.
    client = Client()
    client.force_login(User.objects.get(username="tongbientap.baothanhhoa"))
    edit = client.get(f"/admin/pages/{story.pk}/edit/").content.decode()
    assert f"/admin/tin-nong/gui/{story.pk}/" in edit
    desk = Client()
    desk.force_login(User.objects.get(username="bientap.baothanhhoa"))
    assert (
        f"/admin/tin-nong/gui/{story.pk}/"
        not in desk.get(f"/admin/pages/{story.pk}/edit/").content.decode()
    )

    # Alerts listed to their own agency only.
    _send_as("tongbientap.baothanhhoa", story)
    mine = client.get("/admin/tin-nong/").content.decode()
    assert "Bão số 5 đổ bộ Thanh Hóa" in mine
    theirs = Client()
    theirs.force_login(User.objects.get(username="tongbientap.ptth"))
    assert "Bão số 5 đổ bộ Thanh Hóa" not in theirs.get("/admin/tin-nong/").content.decode()
    alert = Alert.objects.get()
    assert theirs.get(f"/admin/tin-nong/{alert.pk}/").status_code == 404


def test_bad_alerts_are_refused_and_send_nothing(demo, push_service):
    site = _site("baothanhhoa")
    _subscribe(push_service, site, ("mot",))
    story = _story(site)
    client = Client()
    client.force_login(User.objects.get(username="tongbientap.baothanhhoa"))
    url = f"/admin/tin-nong/gui/{story.pk}/"

    empty = client.post(url, {"step": "preview", "title": "   ", "body": ""})
    assert "Hãy nhập tiêu đề thông báo" in empty.content.decode()
    long = client.post(url, {"step": "preview", "title": "Bão " * 30, "body": ""})
    assert "Tiêu đề tối đa 80 ký tự" in long.content.decode()
    # A confirmation without its one-time key is only a preview again.
    assert client.post(url, {"step": "confirm", "title": "Tin nóng", "body": ""}).status_code == 200
    assert not Alert.objects.exists()

    # A story that is not published (taken down meanwhile) cannot be announced.
    draft = _story(site)
    StoryPage.objects.filter(pk=draft.pk).update(live=False)
    refused = client.get(f"/admin/tin-nong/gui/{draft.pk}/")
    assert refused.status_code == 302
    with pytest.raises(services.PushError, match="đã xuất bản"):
        services.alert_create(
            user=User.objects.get(username="tongbientap.baothanhhoa"),
            story=draft,
            title="Tin nóng",
            body="",
            nonce=uuid.uuid4(),
        )
    assert not Alert.objects.exists() and push_service.received == []


def test_the_imitation_refuses_a_request_signed_with_another_key(demo, push_service, settings):
    """The service really checks the signature: an alert signed with a key the browser did
    not subscribe with is refused (401), and the copy fails without a retry."""
    from push.keys import generate_pair

    site = _site("baothanhhoa")
    _subscribe(push_service, site, ("mot",))
    settings.HOITU_VAPID_PRIVATE_KEY, _ = generate_pair()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.alert_create(
            user=User.objects.get(username="tongbientap.baothanhhoa"),
            story=_story(site),
            title="Tin nóng",
            body="",
            nonce=uuid.uuid4(),
        )
    assert push_service.received == []
    assert push_service.rejected and push_service.rejected[0][1].startswith("vapid:")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.error.startswith("401")


# --- Production settings ----------------------------------------------------------------


def test_production_needs_a_vapid_pair_of_its_own():
    from config.secrets_check import VAPID_SHIPPED_VALUES, push_problems
    from push.keys import generate_pair
    from tests.support import production_env

    env = production_env()
    assert push_problems(env) == []
    for name in VAPID_SHIPPED_VALUES:
        missing = {k: v for k, v in env.items() if k != name}
        assert any(f"{name} must be set in production" in p for p in push_problems(missing))
        shipped = {**env, name: next(iter(VAPID_SHIPPED_VALUES[name]))}
        assert any("published" in p for p in push_problems(shipped))
    other_public = generate_pair()[1]
    assert (
        "is not the public key" in push_problems({**env, "HOITU_VAPID_PUBLIC_KEY": other_public})[0]
    )
    assert (
        "is not a VAPID private key" in push_problems({**env, "HOITU_VAPID_PRIVATE_KEY": "abc"})[0]
    )
    off = {k: v for k, v in env.items() if not k.startswith("HOITU_VAPID")}
    assert push_problems({**off, "HOITU_PUSH_ENABLED": "0"}) == []
    # The defaults of base.py are the published pair production refuses.
    base = (Path(__file__).resolve().parents[2] / "config/settings/base.py").read_text()
    for values in VAPID_SHIPPED_VALUES.values():
        assert all(f'"{v}"' in base for v in values)


def test_production_does_not_start_on_the_development_vapid_key():
    import subprocess
    import sys

    from config.secrets_check import VAPID_SHIPPED_VALUES
    from tests.support import production_env

    env = production_env()
    env["HOITU_VAPID_PRIVATE_KEY"] = next(iter(VAPID_SHIPPED_VALUES["HOITU_VAPID_PRIVATE_KEY"]))
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "started" not in out.stdout
    assert "HOITU_VAPID_PRIVATE_KEY is the published development key" in out.stderr
