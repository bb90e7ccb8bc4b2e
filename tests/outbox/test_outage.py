"""The broker is down (nothing listens where Celery publishes): the reader's sign-up,
password reset and newsletter sign-up still succeed, and a story is still published;
nothing is lost. Once the broker is back, beat's outbox sweep hands everything to a real
Celery worker on Redis, and each mail goes exactly once (to a real SMTP server), the
story is indexed and the WebSub hub pinged."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from newsletters.models import Subscriber
from newsroom.models import StoryPage
from outbox.models import OutboxMessage
from outbox.services import messages_sweep
from outbox.tasks import deliver
from search.models import StoryIndex

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-rat-dai-2026"


def wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pending():
    return OutboxMessage.objects.filter(done_at__isnull=True)


@pytest.fixture
def fast_sweep(settings):
    settings.OUTBOX_PUBLISH_AFTER_SECONDS = 0  # the sweep may publish at once


def test_reader_mails_wait_for_the_broker_then_go_once(demo, outage, mailbox, fast_sweep, settings):
    from paywall.services import reader_create, reader_verify_email

    # Other tests' sign-ups from 127.0.0.1 count in the shared Redis for an hour: this
    # test is about the broker, not the flood limit.
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 10_000
    reader = reader_create(email="quen.matkhau@example.vn", password=PASSWORD)
    reader_verify_email(user=reader)
    client = Client()

    signup = client.post(
        "/tai-khoan/dang-ky/",
        {"email": "Nguyen.Thi.Lan@Example.vn", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 200 and "Kiểm tra hộp thư" in signup.content.decode()
    assert get_user_model().objects.filter(email="nguyen.thi.lan@example.vn").exists()

    reset = client.post("/tai-khoan/quen-mat-khau/", {"email": "quen.matkhau@example.vn"})
    assert reset.status_code == 302

    digest = demo_newsletter()
    news = client.post("/ban-tin/", {"email": "le.van.hung@example.vn", "newsletters": [digest]})
    assert news.status_code in (200, 302)
    assert Subscriber.objects.filter(email="le.van.hung@example.vn").exists()

    # Nothing went, nothing is lost: three tasks wait in the outbox, never published.
    assert mailbox.messages == []
    waiting = pending()
    assert waiting.count() == 3 and not waiting.filter(published_at__isnull=False).exists()
    # A sweep while the broker is still away publishes nothing and keeps everything.
    assert messages_sweep() == 0 and pending().count() == 3

    with outage.over():  # the broker is back, with a worker
        assert messages_sweep() == 3
        wait_for(lambda: not pending().exists(), "the worker to run the outbox")
        wait_for(lambda: len(mailbox.messages) == 3, "three mails")
        # A second sweep, and the same messages delivered again (a broker redelivery):
        # no second mail.
        assert messages_sweep() == 0
        for pk in OutboxMessage.objects.values_list("pk", flat=True):
            assert deliver.apply(args=[pk]).get() is False

    assert len(mailbox.to("nguyen.thi.lan@example.vn")) == 1
    assert len(mailbox.to("quen.matkhau@example.vn")) == 1
    assert len(mailbox.to("le.van.hung@example.vn")) == 1
    # The mails work: the verification link verifies the new reader.
    (verify,) = mailbox.to("nguyen.thi.lan@example.vn")
    link = re.search(r"/tai-khoan/xac-nhan-email/\S+/", verify.get_content()).group(0)
    assert client.get(link).status_code == 200
    assert (
        get_user_model()
        .objects.get(email="nguyen.thi.lan@example.vn")
        .reader_profile.email_verified
    )
    # A done message keeps no mail body (its reset link).
    assert not OutboxMessage.objects.exclude(args=[]).exists()


def demo_newsletter() -> int:
    from newsletters.models import Newsletter

    return Newsletter.objects.filter(site__is_default_site=True).values_list("pk", flat=True)[0]


def test_story_published_while_the_broker_is_down_is_indexed_and_pinged_after(
    demo, outage, fast_sweep, settings, hub
):
    settings.DISTRIBUTION_WEBSUB_HUB, received = hub
    story = StoryPage.objects.live().filter(url_path__contains="/baothanhhoa/").first()
    story.title = "Thanh Hóa mở tuyến xe buýt Sầmsơn mới"
    story.save_revision().publish()  # autocommit: the publish commits, the broker refuses

    assert StoryPage.objects.get(pk=story.pk).title == "Thanh Hóa mở tuyến xe buýt Sầmsơn mới"
    names = set(pending().values_list("task_name", flat=True))
    assert names == {"search.tasks.story_index_update", "distribution.tasks.websub_ping"}
    assert "Sầmsơn" not in StoryIndex.objects.get(page_id=story.pk).headline
    assert received == []

    with outage.over():
        messages_sweep()
        wait_for(lambda: not pending().exists(), "the worker to run the outbox")
    assert StoryIndex.objects.get(page_id=story.pk).headline == story.title
    assert "http://localhost/rss/" in received
    assert received.count("http://localhost/rss/") == 1  # pinged once
