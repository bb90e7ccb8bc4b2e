"""analytics/fastpath.py: anonymous beacon posts answered ahead of the middleware stack,
driven through the project's WSGI application (config/wsgi.py's wrapping) in-process."""

import json

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

from analytics import collect
from analytics.fastpath import with_beacon_fast_path
from analytics.models import Event

from .conftest import BROWSER_UA, pageview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_audience")]


@pytest.fixture
def wsgi():
    """POSTs through the wrapped WSGI app; like Django's test client, the test's open
    transaction is not closed by the request signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    app = with_beacon_fast_path(get_wsgi_application())

    def call(body: str, *, method="post", cookie="", **meta):
        factory = getattr(RequestFactory(), method)
        if method == "post":
            meta.update(data=body, content_type="text/plain")
        environ = factory(
            "/a/collect", HTTP_USER_AGENT=BROWSER_UA, HTTP_COOKIE=cookie, **meta
        ).environ
        answer = {}

        def start_response(status, headers):
            answer.update(status=int(status.split()[0]), headers=dict(headers))

        result = app(environ, start_response)
        content = b"".join(result).decode()
        result.close()
        return answer["status"], answer["headers"], content

    yield call
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_anonymous_beacon_skips_the_stack_and_keeps_the_readers_address(wsgi, story, flush):
    status, headers, _ = wsgi(
        json.dumps(pageview(story)),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
    )
    assert status == 204
    assert "X-Request-ID" not in headers and "Permissions-Policy" not in headers  # no stack
    flush()
    event = Event.objects.get()
    assert event.page_id == story.pk and event.platform == "mobile"
    # The address behind nginx (right-most untrusted entry), not nginx's or a forged one.
    expected = collect.visitor_hash(
        ip="203.0.113.9", user_agent=BROWSER_UA, site_id=event.site_id, when=event.occurred_at
    )
    assert event.visitor == expected


@override_settings(ANALYTICS_RATE_LIMIT_PER_MINUTE=3, ALLOWED_HOSTS=["thanhhoa.example.vn"])
def test_fast_path_refuses_what_the_view_refuses(wsgi, story, flush, address):
    status, _, text = wsgi("not json", REMOTE_ADDR=address, HTTP_HOST="thanhhoa.example.vn")
    assert (status, text) == (400, "body is not JSON")
    assert (
        wsgi(json.dumps(pageview(story)), REMOTE_ADDR=address, HTTP_HOST="evil.example")[0] == 400
    )
    codes = [
        wsgi(json.dumps(pageview(story)), REMOTE_ADDR=address, HTTP_HOST="thanhhoa.example.vn")[0]
        for _ in range(3)
    ]
    assert codes == [204, 204, 429]  # the refused post counted too: 3 a minute
    flush()
    assert Event.objects.count() == 2


def test_other_requests_go_through_django(wsgi, story, flush, address):
    status, headers, _ = wsgi(json.dumps(pageview(story)), method="get", REMOTE_ADDR=address)
    assert status == 405 and "X-Request-ID" in headers
    status, headers, _ = wsgi(
        json.dumps(pageview(story)), cookie="sessionid=abc", REMOTE_ADDR=address
    )
    assert status == 204 and "X-Request-ID" in headers  # the full stack answered
    flush()
    assert Event.objects.count() == 1
