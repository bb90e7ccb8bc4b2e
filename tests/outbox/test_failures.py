"""A task that fails in the worker (the SMTP server is down) is kept, counted and tried
again by the sweep until it works, then never again; one that keeps failing is given up
and says why."""

import pytest
from django.test import Client

from outbox.models import OutboxMessage
from outbox.services import messages_sweep

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


def test_mail_failing_on_smtp_is_sent_by_a_later_sweep_once(
    demo, mailbox, settings, django_capture_on_commit_callbacks
):
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()  # the SMTP server is down
    settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 0
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/tai-khoan/dang-ky/",
            {"email": "tran.minh.chau@example.vn", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 200 and "Kiểm tra hộp thư" in response.content.decode()
    (message,) = OutboxMessage.objects.filter(done_at__isnull=True)
    assert message.failures == 1 and "Connection refused" in message.last_error
    assert message.args and not message.given_up  # the mail is still there to send

    assert messages_sweep() == 1  # SMTP still down: tried again, still kept
    message.refresh_from_db()
    assert message.failures == 2 and message.done_at is None and mailbox.messages == []

    settings.EMAIL_PORT = good_port
    assert messages_sweep() == 1
    assert messages_sweep() == 0
    message.refresh_from_db()
    assert message.done_at is not None and message.args == []
    assert len(mailbox.to("tran.minh.chau@example.vn")) == 1


def test_a_task_failing_every_time_is_given_up_with_its_error(db, settings):
    from outbox.services import enqueue
    from paywall.tasks import send_reader_mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 0
    settings.OUTBOX_MAX_FAILURES = 3
    message = enqueue(send_reader_mail, "Tiêu đề", "Nội dung", "ai.do@example.vn")
    from outbox.services import message_publish

    message_publish(message.pk)  # what the commit hook does
    while messages_sweep():
        pass
    message.refresh_from_db()
    assert message.given_up and message.failures == 3 and message.done_at is None
    assert "Connection refused" in message.last_error
