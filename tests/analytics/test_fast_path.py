"""analytics/fastpath.py and analytics/asgi.py: anonymous beacon posts answered ahead of
the middleware stack, driven in-process through the project's WSGI application
(config/wsgi.py's wrapping) and its ASGI application (config/asgi.py's, the beacon server),
against Django's whole stack: the same answers, the same events, one flood count."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory, override_settings
from django.utils import timezone

from analytics import buffer, collect
from analytics.asgi import with_beacon_fast_path as with_asgi_fast_path
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
            answer.update(status=int(status.split()[0]), headers={k.lower(): v for k, v in headers})

        result = app(environ, start_response)
        content = b"".join(result).decode()
        if hasattr(result, "close"):  # the WSGI server's duty (Django sends request_finished)
            result.close()
        return answer["status"], answer["headers"], content

    yield call
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def asgi():
    """POSTs through the wrapped ASGI application, as the beacon server runs it. Driven
    from this thread (async_to_sync), so that its calls in a thread come back to this
    thread's database connection and see the test's transaction, as Django's AsyncClient
    does."""
    app = with_asgi_fast_path(get_asgi_application())

    async def run(scope, body):
        sent, delivered = [], False

        async def receive():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Future()  # no disconnect: Django's handler waits for one

        async def send(message):
            sent.append(message)

        try:
            await app(scope, receive, send)
        finally:
            await buffer.close_async()  # each call has its own event loop
        return sent

    def call(body: str, *, method="POST", cookie="", **meta):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        data = body.encode()
        headers = {
            "host": meta.get("HTTP_HOST", "testserver"),
            "content-type": "text/plain",
            "content-length": str(len(data)),
            "user-agent": meta.get("HTTP_USER_AGENT", BROWSER_UA),
            "cookie": cookie,
            "x-forwarded-for": meta.get("HTTP_X_FORWARDED_FOR", ""),
        }
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": "http",
            "path": "/a/collect",
            "raw_path": b"/a/collect",
            "query_string": b"",
            "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in headers.items() if v],
            "client": (meta.get("REMOTE_ADDR", "127.0.0.1"), 50000),
            "server": ("testserver", 80),
        }
        sent = async_to_sync(run)(scope, data)
        start = sent[0]
        answer_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        content = b"".join(m.get("body", b"") for m in sent[1:]).decode()
        return start["status"], answer_headers, content

    yield call
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["wsgi", "asgi"])
def fast(request):
    """The WSGI fast path (gunicorn) or the ASGI one (the beacon server)."""
    return request.getfixturevalue(request.param)


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_anonymous_beacon_skips_the_stack_and_keeps_the_readers_address(fast, story, flush):
    status, headers, _ = fast(
        json.dumps(pageview(story)),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
    )
    assert status == 204
    assert "x-request-id" not in headers and "permissions-policy" not in headers  # no stack
    flush()
    event = Event.objects.get()
    assert event.page_id == story.pk and event.platform == "mobile"
    # The address behind nginx (right-most untrusted entry), not nginx's or a forged one.
    expected = collect.visitor_hash(
        ip="203.0.113.9", user_agent=BROWSER_UA, site_id=event.site_id, when=event.occurred_at
    )
    assert event.visitor == expected


@override_settings(ANALYTICS_RATE_LIMIT_PER_MINUTE=3, ALLOWED_HOSTS=["thanhhoa.example.vn"])
def test_fast_path_refuses_what_the_view_refuses(fast, story, flush, address):
    status, _, text = fast("not json", REMOTE_ADDR=address, HTTP_HOST="thanhhoa.example.vn")
    assert (status, text) == (400, "body is not JSON")
    status, headers, _ = fast(
        json.dumps(pageview(story)), REMOTE_ADDR=address, HTTP_HOST="evil.example"
    )
    assert status == 400 and "x-request-id" in headers  # Django's own answer (and log)
    codes = [
        fast(json.dumps(pageview(story)), REMOTE_ADDR=address, HTTP_HOST="thanhhoa.example.vn")[0]
        for _ in range(3)
    ]
    assert codes == [204, 204, 429]  # the refused post counted too: 3 a minute
    flush()
    assert Event.objects.count() == 2


def test_other_requests_go_through_django(fast, story, flush, address):
    status, headers, _ = fast(json.dumps(pageview(story)), method="get", REMOTE_ADDR=address)
    assert status == 405 and "x-request-id" in headers
    status, headers, _ = fast(
        json.dumps(pageview(story)), cookie="sessionid=abc", REMOTE_ADDR=address
    )
    assert status == 204 and "x-request-id" in headers  # the full stack answered
    flush()
    assert Event.objects.count() == 1


def _same_inputs(story):
    site = story.get_site().pk
    return [
        (json.dumps(pageview(story)), BROWSER_UA),
        (json.dumps(pageview(story, r="https://www.google.com/")), BROWSER_UA),
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


def test_fast_paths_and_view_answer_and_store_alike(wsgi, asgi, client, story, flush, address):
    """Each input through the WSGI fast path, the ASGI one with the page unknown to the
    process (looked up in a thread), the ASGI one again with everything in memory (built
    on the loop), then Django's whole stack: the same answer, and each accepted post stored
    exactly once with the same values."""
    answers = []
    for body, ua in _same_inputs(story):
        collect._memo.clear()
        wsgi_answer = wsgi(body, REMOTE_ADDR=address, HTTP_USER_AGENT=ua)
        collect._memo.clear()
        looked_up = asgi(body, REMOTE_ADDR=address, HTTP_USER_AGENT=ua)
        in_memory = collect.event_in_memory(user=AnonymousUser(), now=timezone.now())
        from_memory = asgi(body, REMOTE_ADDR=address, HTTP_USER_AGENT=ua)
        full = client.post(
            "/a/collect",
            data=body,
            content_type="text/plain",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=ua,
        )
        assert full.has_header("X-Request-ID")
        view = (full.status_code, full.content.decode())
        for fast in (wsgi_answer, looked_up, from_memory):
            assert "x-request-id" not in fast[1]
            assert (fast[0], fast[2]) == view, body[:80]
        answers.append(view[0])
        if view[0] == 204 and ua == BROWSER_UA:
            assert in_memory  # the thread left what the loop needs next time
    assert answers == [204, 204, 204] + [400] * 7 + [413, 204, 204]
    flush()
    fields = ["kind", "page_id", "site_id", "section_id", "story_format", "visitor"]
    fields += ["place_code", "channel", "platform", "seconds", "media"]
    rows = list(Event.objects.order_by("occurred_at").values_list(*fields))
    assert len(rows) == 12 and len({e for e in Event.objects.values_list("event_id")}) == 12
    # WSGI, ASGI looked up, ASGI from memory, view: the same event, once each.
    assert rows[0::4] == rows[1::4] == rows[2::4] == rows[3::4]
    assert [r[0] for r in rows[0::4]] == ["pageview", "pageview", "heartbeat"]
    assert rows[4][7] == "search"


@override_settings(ANALYTICS_RATE_LIMIT_PER_MINUTE=5)
def test_fast_paths_and_view_share_one_flood_count(wsgi, asgi, client, story, flush, address):
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
        asgi(body, REMOTE_ADDR=address)[0],  # on the loop: one script
        view(body),
        wsgi(body, REMOTE_ADDR=address)[0],
        asgi(body, REMOTE_ADDR=address)[0],
        view(body),
        asgi("not json", REMOTE_ADDR=address)[0],
    ]
    assert codes == [204, 204, 400, 204, 204, 429, 429, 429, 429]
    flush()
    assert Event.objects.count() == 4


def test_redis_down_is_an_error_never_a_204(fast, story, flush, address, settings, tmp_path):
    """No 204 for an event Redis did not take: Django's answer to the exception (logged,
    500), for a page the process knows and for one it looks up; nothing kept."""
    body = json.dumps(pageview(story))
    assert fast(body, REMOTE_ADDR=address)[0] == 204  # the page is now in the memo
    redis_url = settings.ANALYTICS_REDIS_URL
    # A socket that does not exist (a loopback port might be another session's server).
    settings.ANALYTICS_REDIS_URL = f"unix://{tmp_path}/no-redis.sock"
    buffer._client = None
    try:
        assert fast(body, REMOTE_ADDR=address)[0] == 500
        collect._memo.clear()
        assert fast(body, REMOTE_ADDR=address)[0] == 500
    finally:
        settings.ANALYTICS_REDIS_URL = redis_url
        buffer._client = None
    flush()
    assert Event.objects.count() == 1


def test_pipelined_posts_get_their_own_answers_after_redis_lost_the_script(flush, address):
    """The beacon server sends the scripts of one turn of its loop in one pipeline: each
    post gets its own answer (queue length, or -1 over the limit), and a Redis that lost
    the script (restarted) has it loaded again and runs each post once."""

    async def posts():
        pipeliner = buffer._pipeliner()
        pipeliner.sha = "0" * 40  # what a restarted Redis does not know
        try:
            return await asyncio.gather(
                *(buffer.count_and_push_async(f"test:{address}", 2, raw) for raw in "abc")
            )
        finally:
            await buffer.close_async()

    answers = async_to_sync(posts)()
    assert answers[:2] == [1, 2] and answers[2] == -1
    assert buffer.client().lrange(buffer.keys()[0], 0, -1) == [b"b", b"a"]
