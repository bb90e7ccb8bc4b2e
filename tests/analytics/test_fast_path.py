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

BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_audience")]


@pytest.fixture
def wsgi():
    """POSTs through the wrapped WSGI app; like Django's test client, the test's open
    transaction is not closed by the request signals (the test client, which reconnects
    them after each of its requests, is used alongside)."""
    app = with_beacon_fast_path(get_wsgi_application())

    def call(body: str, *, method="post", cookie="", **meta):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        factory = getattr(RequestFactory(), method)
        if method == "post":
            meta.update(data=body, content_type="text/plain")
        meta.setdefault("HTTP_USER_AGENT", BROWSER_UA)
        environ = factory("/a/collect", HTTP_COOKIE=cookie, **meta).environ
        answer = {}

        def start_response(status, headers):
            answer.update(status=int(status.split()[0]), headers=dict(headers))

        result = app(environ, start_response)
        content = b"".join(result).decode()
        if hasattr(result, "close"):  # the WSGI server's duty (Django sends request_finished)
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


def _same_inputs(story):
    site = story.get_site().pk
    return [
        (json.dumps(pageview(story)), BROWSER_UA),  # the page is not yet in this process's memo
        (json.dumps(pageview(story, r="https://www.google.com/")), BROWSER_UA),  # in the memo
        (json.dumps({"k": "heartbeat", "p": story.pk, "s": site, "sec": 15}), BROWSER_UA),
        (json.dumps({"k": "heartbeat", "p": story.pk, "s": site, "sec": 61}), BROWSER_UA),
        (json.dumps({"k": "pageview", "p": story.pk, "s": site + 1000}), BROWSER_UA),
        (json.dumps({"k": "pageview", "p": 10**9, "s": site}), BROWSER_UA),
        (json.dumps(pageview(story, x=1)), BROWSER_UA),
        (json.dumps({"k": "newsletter_open", "p": story.pk, "s": site}), BROWSER_UA),
        ("not json", BROWSER_UA),
        ("", BROWSER_UA),
        ("x" * 2000, BROWSER_UA),
        (json.dumps(pageview(story)), BOT_UA),
        (json.dumps(pageview(story)), ""),
    ]


def test_fast_path_and_view_answer_and_store_alike(wsgi, client, story, flush, address):
    """Each input through the fast path, then through Django's whole stack: the same
    answer, and each accepted post stored exactly once with the same values."""
    answers = []
    for body, ua in _same_inputs(story):
        collect._memo.clear()  # the view's first post goes through the page lookup too
        fast = wsgi(body, REMOTE_ADDR=address, HTTP_USER_AGENT=ua)
        full = client.post(
            "/a/collect",
            data=body,
            content_type="text/plain",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=ua,
        )
        assert "X-Request-ID" not in fast[1] and full.has_header("X-Request-ID")
        answers.append((fast[0], fast[2], full.status_code, full.content.decode()))
        assert (fast[0], fast[2]) == (full.status_code, full.content.decode()), body[:80]
    assert [a[0] for a in answers] == [204, 204, 204] + [400] * 7 + [413, 204, 204]
    flush()
    fields = ["kind", "page_id", "site_id", "section_id", "story_format", "visitor"]
    fields += ["place_code", "channel", "platform", "seconds", "media"]
    rows = list(Event.objects.order_by("occurred_at").values_list(*fields))
    assert len(rows) == 6 and len({e for e in Event.objects.values_list("event_id")}) == 6
    assert rows[0::2] == rows[1::2]  # fast, then view: the same event, once each
    assert [r[0] for r in rows[0::2]] == ["pageview", "pageview", "heartbeat"]
    assert rows[2][7] == "search"


@override_settings(ANALYTICS_RATE_LIMIT_PER_MINUTE=4)
def test_fast_path_and_view_share_one_flood_count(wsgi, client, story, flush, address):
    """Every post counts once against its address, whichever path and whether the page
    was known to the process or not; over the limit nothing is stored."""
    body = json.dumps(pageview(story))

    def view(data):
        return client.post(
            "/a/collect",
            data=data,
            content_type="text/plain",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=BROWSER_UA,
        ).status_code

    codes = [
        wsgi(body, REMOTE_ADDR=address)[0],  # page looked up: count, then push
        wsgi(body, REMOTE_ADDR=address)[0],  # page in the memo: count and push at once
        view("not json"),
        view(body),
        wsgi(body, REMOTE_ADDR=address)[0],
        view(body),
        wsgi("not json", REMOTE_ADDR=address)[0],
    ]
    assert codes == [204, 204, 400, 204, 429, 429, 429]
    flush()
    assert Event.objects.count() == 3
