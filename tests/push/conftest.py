import pytest

from . import service as imitation


@pytest.fixture(scope="module")
def _push_server():
    from django.conf import settings

    service = imitation.start(settings.HOITU_VAPID_PUBLIC_KEY)
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def push_service(_push_server, settings, db):
    """The imitation push service, empty; subscriptions may point at it (http on
    127.0.0.1, as only tests allow). The demo's alert of yesterday is set aside."""
    from push.models import Alert

    Alert.objects.all().delete()
    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    settings.PUSH_TIMEOUT_SECONDS = 1
    _push_server.browsers.clear()
    _push_server.script.clear()
    _push_server.received.clear()
    _push_server.rejected.clear()
    _push_server.requests.clear()
    return _push_server
