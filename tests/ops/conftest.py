import socket

import pytest
from django.conf import settings


@pytest.fixture
def redis_required():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (a real Redis)")


@pytest.fixture
def closed_port():
    """A 127.0.0.1 port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
