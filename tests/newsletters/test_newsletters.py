"""Newsletters against a real SMTP server on 127.0.0.1 (aiosmtpd, conftest.py): double
opt-in without revealing who subscribed, free and subscriber copies through the paywall's
gate, batches sent by Celery once however often the tasks run, a 550 at RCPT that marks
one address bounced while the others get their copy, RFC 8058 one-click unsubscribe,
and opens and clicks counted into analytics."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from analytics.models import Event
from newsletters import services, tasks
from newsletters.models import (
    Delivery,
    DeliveryStatus,
    Edition,
    EditionStatus,
    Subscriber,
    SubscriberStatus,
)
from newsroom.models import StoryPage
from paywall import gating
from paywall.access import AccessLevel

from .conftest import body_of

pytestmark = pytest.mark.django_db

PAID_READER = "docgia.thuebao@example.vn"  # demo: active subscription on every outlet
FREE_READER = "docgia.mienphi@example.vn"
GONE_READER = "ban.doc.xa.muong.lat@example.vn"


def _csrfless(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_double_opt_in_says_the_same_for_every_address(
    demo, mailbox, client, settings, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    lists = list(services.newsletters_for_site(site))
    digest = lists[0]
    page = client.get("/ban-tin/")
    assert page.status_code == 200
    assert (
        "Nhận bản tin qua email" in page.content.decode() and digest.title in page.content.decode()
    )

    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        new = client.post("/ban-tin/", {"email": "Moi.Doc@Example.VN", "newsletters": [digest.pk]})
        known = client.post("/ban-tin/", {"email": PAID_READER, "newsletters": [digest.pk]})
    assert new.status_code == known.status_code == 200
    assert "Kiểm tra hộp thư của bạn" in new.content.decode()
    # Nobody learns whether an address was subscribed: the same page but for the address.
    assert _csrfless(new.content.decode()).replace("Moi.Doc@Example.VN", "X") == _csrfless(
        known.content.decode()
    ).replace(PAID_READER, "X")

    subscriber = Subscriber.objects.get(site=site, email="moi.doc@example.vn")
    assert subscriber.status == SubscriberStatus.PENDING
    assert not subscriber.newsletters.exists()
    [confirmation] = mailbox.to("moi.doc@example.vn")
    assert "Xác nhận đăng ký nhận bản tin" in str(confirmation["Subject"])
    text = body_of(confirmation, "plain")
    link = re.search(r"http://testserver(/ban-tin/xac-nhan/[^/\s]+/)", text).group(1)
    # Repeating the form sends no second mail within 15 minutes (no mailbox flooding).
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ban-tin/", {"email": "MOI.DOC@example.vn", "newsletters": [digest.pk]})
    assert len(mailbox.to("moi.doc@example.vn")) == 1
    assert Subscriber.objects.filter(email__iexact="moi.doc@example.vn").count() == 1

    done = client.get(link)
    assert done.status_code == 200 and "Đã xác nhận" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.newsletters.all()) == [digest]
    assert client.get(link).status_code == 400  # a link works once

    # Bad input: a clear message, nothing stored.
    bad = client.post("/ban-tin/", {"email": "khong-phai-email", "newsletters": [digest.pk]})
    assert bad.status_code == 400 and "Địa chỉ email chưa đúng" in bad.content.decode()
    other = client.post("/ban-tin/", {"email": "a@example.vn", "newsletters": [999999]})
    assert other.status_code == 400 and not Subscriber.objects.filter(email="a@example.vn").exists()

    # Sign-ups per address and hour are limited.
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 0
    refused = client.post("/ban-tin/", {"email": "b@example.vn", "newsletters": [digest.pk]})
    assert refused.status_code == 429 and "thử lại sau" in refused.content.decode()
    assert not Subscriber.objects.filter(email="b@example.vn").exists()


@pytest.fixture
def edition(demo):
    """Today's digest of the default outlet with a premium story and a free one."""
    site = Site.objects.get(is_default_site=True)
    digest = services.newsletters_for_site(site).get(section=None)
    stories = StoryPage.objects.live().descendant_of(site.root_page)
    paid = next(
        s for s in stories.filter(access_level=AccessLevel.PREMIUM) if gating.paid_blocks(s)
    )
    free = stories.filter(access_level=AccessLevel.FREE).first()
    now = timezone.now()
    StoryPage.objects.filter(pk__in=[paid.pk, free.pk]).update(first_published_at=now)
    Edition.objects.filter(newsletter=digest).delete()  # the demo's scheduled one
    built = services.edition_build(digest, timezone.localdate())
    assert [i.story_id for i in built.items.order_by("sort_order")][:2] in (
        [paid.pk, free.pk],
        [free.pk, paid.pk],
    )
    built.paid_story = StoryPage.objects.get(pk=paid.pk)
    built.free_story = free
    return built


def test_send_free_and_subscriber_copies_once_with_a_bounce(edition, mailbox):
    mailbox.refuse.add(GONE_READER)
    paid_text = gating.blocks_text(gating.paid_blocks(edition.paid_story)).split("\n\n")[0][:60]

    tasks.send_edition.delay(edition.pk)

    [paid_copy] = mailbox.to(PAID_READER)
    [free_copy] = mailbox.to(FREE_READER)
    assert mailbox.to(GONE_READER) == []
    for message in (paid_copy, free_copy):
        assert str(message["Subject"]).strip() == edition.subject
        unsubscribe = str(message["List-Unsubscribe"]).strip()
        assert re.fullmatch(r"<https?://[^>]+/ban-tin/huy/[^/>]+/>", unsubscribe)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert edition.paid_story.title in body_of(message, "html")
        assert edition.free_story.title in body_of(message, "plain")
    # Paid text only in the copy of the reader the paywall lets read it.
    assert paid_text in body_of(paid_copy, "plain")
    assert paid_text not in body_of(free_copy, "plain")
    assert "Những chuyển biến rõ nét" not in body_of(free_copy, "html")
    assert "dành cho bạn đọc có thuê bao" in body_of(free_copy, "plain")

    gone = Subscriber.objects.get(site=edition.newsletter.site, email=GONE_READER)
    assert gone.status == SubscriberStatus.BOUNCED and gone.bounce_count == 1
    assert "550" in gone.last_bounce
    statuses = dict(
        Delivery.objects.filter(edition=edition).values_list("subscriber__email", "status")
    )
    assert statuses == {
        PAID_READER: DeliveryStatus.SENT,
        FREE_READER: DeliveryStatus.SENT,
        GONE_READER: DeliveryStatus.BOUNCED,
    }
    assert Delivery.objects.get(edition=edition, subscriber__email=PAID_READER).subscriber_edition
    edition.refresh_from_db()
    assert edition.status == EditionStatus.SENT

    # Run again, as a retried or redelivered task would: nobody gets a second copy.
    Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.SENDING)
    tasks.send_edition.delay(edition.pk)
    tasks.send_batch.delay(
        list(Delivery.objects.filter(edition=edition).values_list("pk", flat=True))
    )
    assert len(mailbox.messages) == 2
    assert Delivery.objects.filter(edition=edition).count() == 3


def test_smtp_down_retries_later_then_sends(edition, mailbox, settings, smtp_server):
    settings.EMAIL_PORT = 1  # nothing listens there
    settings.NEWSLETTER_RETRY_BASE_SECONDS = 0
    tasks.send_edition.delay(edition.pk)
    first = Delivery.objects.filter(edition=edition).order_by("pk").first()
    assert first.status == DeliveryStatus.PENDING and first.next_attempt_at is not None
    assert first.attempts == 1 and "Error" in first.error
    assert mailbox.messages == []

    settings.EMAIL_PORT = smtp_server.port
    # The sweep (beat) finds the copy due again and the batch's rest, whose task ended.
    found = services.sweep(now=timezone.now() + timezone.timedelta(minutes=3))
    assert first.pk in found["retry"]
    services.batch_send(found["retry"])
    assert len(mailbox.messages) == 3
    edition.refresh_from_db()
    assert edition.status == EditionStatus.SENT


def test_one_click_unsubscribe_and_tracked_open_and_click(edition, mailbox):
    from analytics import buffer
    from analytics import services as analytics_services

    tasks.send_edition.delay(edition.pk)
    [free_copy] = mailbox.to(FREE_READER)
    html = body_of(free_copy, "html")
    subscriber = Subscriber.objects.get(site=edition.newsletter.site, email=FREE_READER)
    delivery = Delivery.objects.get(edition=edition, subscriber=subscriber)
    reader = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile")

    # Open pixel and a tracked link to a story.
    opened = reader.get(
        urlsplit(re.search(r'src="([^"]+/ban-tin/mo/[^"]+\.gif)"', html).group(1)).path
    )
    assert opened.status_code == 200 and opened["Content-Type"] == "image/gif"
    link = re.findall(r'href="([^"]+/ban-tin/doc/[^"]+/)"', html)[0]
    went = reader.get(urlsplit(link).path)
    assert went.status_code == 302
    assert went["Location"] in (
        edition.paid_story.get_full_url(),
        edition.free_story.get_full_url(),
    )
    delivery.refresh_from_db()
    assert (delivery.opens, delivery.clicks) == (1, 1)
    assert delivery.opened_at and delivery.clicked_at
    if buffer.enabled():
        analytics_services.events_flush()
    kinds = dict(
        Event.objects.filter(channel="email").values_list("kind", "page_id").order_by("kind")
    )
    assert set(kinds) == {"newsletter_click", "newsletter_open"}
    # A forged link is refused; the token names a page, never an address elsewhere.
    assert reader.get(urlsplit(link).path.replace("/doc/", "/doc/x")).status_code == 400
    other_salt = services.open_token(delivery.pk)  # signed, but not as a link
    assert reader.get(f"/ban-tin/doc/{other_salt}/").status_code == 400
    # The beacon cannot claim newsletter events.
    site = edition.newsletter.site
    beacon = reader.post(
        "/a/collect",
        data=f'{{"k":"newsletter_open","p":{site.root_page_id},"s":{site.pk}}}',
        content_type="text/plain",
    )
    assert beacon.status_code == 400

    # RFC 8058: the GET shows a button and changes nothing; the mail app's POST, without
    # cookie or CSRF token, unsubscribes.
    path = urlsplit(str(free_copy["List-Unsubscribe"]).strip().strip("<>")).path
    page = reader.get(path)
    assert page.status_code == 200 and "Hủy nhận" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    done = reader.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "Đã hủy nhận bản tin" in done.content.decode()
    # Off the list the mail came from; a section list the reader also chose stays.
    assert not subscriber.newsletters.filter(pk=edition.newsletter_id).exists()
    assert subscriber.newsletters.exists()
    # The page's second button takes the address off every list of the outlet.
    everything = reader.post(path, {"tat-ca": "1"})
    assert everything.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not subscriber.newsletters.exists()
    assert reader.post(path[:-3] + "xx/").status_code == 400  # a tampered token


def test_editors_preview_and_send_their_outlets_editions(
    edition, mailbox, client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    client.force_login(User.objects.get(username="bientap.baothanhhoa"))
    listing = client.get("/admin/ban-tin/so/")
    assert listing.status_code == 200 and edition.subject in listing.content.decode()
    assert "/admin/ban-tin/so/" in client.get("/admin/").content.decode()  # the menu

    free = client.get(f"/admin/ban-tin/so/{edition.pk}/xem-truoc/mien-phi/").content.decode()
    paid = client.get(f"/admin/ban-tin/so/{edition.pk}/xem-truoc/thue-bao/").content.decode()
    assert edition.paid_story.title in free and edition.paid_story.title in paid
    assert "Những chuyển biến rõ nét" in paid and "Những chuyển biến rõ nét" not in free

    edit = client.get(f"/admin/ban-tin/so/edit/{edition.pk}/")
    assert edit.status_code == 200 and "Lời mở đầu" in edit.content.decode()

    # Another agency's editor sees neither the edition nor its preview.
    other = Client()
    other.force_login(User.objects.get(username="bientap.vannghe"))
    assert edition.subject not in other.get("/admin/ban-tin/so/").content.decode()
    refused = other.get(f"/admin/ban-tin/so/{edition.pk}/xem-truoc/thue-bao/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's 403

    page = client.get(f"/admin/ban-tin/so/{edition.pk}/gui/")
    assert page.status_code == 200 and "Gửi ngay" in page.content.decode()
    bad = client.post(f"/admin/ban-tin/so/{edition.pk}/gui/", {"scheduled_at": "ngày mai"})
    assert "Thời điểm chưa đúng" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/admin/ban-tin/so/{edition.pk}/gui/", {"action": "now"})
    assert sent.status_code == 302
    assert sorted(r[0] for r, _ in mailbox.messages) == sorted(
        [PAID_READER, FREE_READER, GONE_READER]
    )
    edition.refresh_from_db()
    assert edition.status == EditionStatus.SENT
    # What readers got is kept as it was sent.
    assert client.get(f"/admin/ban-tin/so/edit/{edition.pk}/").status_code == 302
    assert client.get(f"/admin/ban-tin/so/{edition.pk}/gui/").status_code == 200


def test_account_box_subscribes_a_verified_reader_at_once(demo, mailbox, client):
    from django.contrib.auth import get_user_model

    site = Site.objects.get(is_default_site=True)
    reader = get_user_model().objects.get(username="docgia.mienphi")
    Subscriber.objects.filter(email=reader.email).delete()
    client.force_login(reader)
    account = client.get("/tai-khoan/").content.decode()
    assert 'id="ban-tin"' in account and "Lưu lựa chọn bản tin" in account
    section = services.newsletters_for_site(site).exclude(section=None).first()
    saved = client.post("/ban-tin/tai-khoan/", {"newsletters": [section.pk]})
    assert saved.status_code == 302
    subscriber = Subscriber.objects.get(site=site, email=reader.email)
    assert subscriber.user == reader and subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.newsletters.all()) == [section]
    assert mailbox.messages == []  # the account's address was confirmed already
    client.post("/ban-tin/tai-khoan/", {})
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_beat_builds_todays_edition_ahead_and_starts_it_on_time(demo):
    import datetime

    site = Site.objects.get(is_default_site=True)
    section_list = services.newsletters_for_site(site).exclude(section=None).first()
    story = StoryPage.objects.live().child_of(section_list.section).first()
    StoryPage.objects.filter(pk=story.pk).update(first_published_at=timezone.now())
    Edition.objects.filter(newsletter=section_list).delete()
    today = timezone.localdate()
    send_at = timezone.make_aware(datetime.datetime.combine(today, section_list.send_time))

    assert services.sweep(now=send_at - datetime.timedelta(hours=3))["built"] == 0
    services.sweep(now=send_at - datetime.timedelta(hours=1))
    edition = Edition.objects.get(newsletter=section_list, date=today)
    assert edition.status == EditionStatus.SCHEDULED and edition.scheduled_at == send_at
    assert story.pk in edition.items.values_list("story_id", flat=True)
    assert edition.pk not in services.sweep(now=send_at - datetime.timedelta(minutes=1))["editions"]
    assert edition.pk in services.sweep(now=send_at)["editions"]
