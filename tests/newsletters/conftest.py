"""A real SMTP server on 127.0.0.1 (aiosmtpd) that the project sends to over SMTP, and
which refuses chosen recipients at RCPT with 550, as a mail server does for an address
that does not exist."""

import email
import email.policy
import logging
import socket

import pytest


class Mailbox:
    """What the SMTP server accepted, parsed; `refuse` holds addresses answered 550."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]

    def clear(self):
        self.messages.clear()
        self.refuse.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """Django's SMTP backend pointed at the local server, an empty mailbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "bantin@baothanhhoa.example.vn"
    box = smtp_server.handler
    box.clear()
    yield box
    box.clear()


def body_of(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()
