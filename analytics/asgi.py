"""POST /a/collect on an event loop: the beacon server (config/asgi.py under granian,
deploy/systemd/hoitu-beacon.service; nginx sends it `location = /a/collect` only).

A sync gunicorn worker answers one connection at a time, and even a bare 204 WSGI app
reaches about 7 % of what nginx answers on this hardware (docs/analytics.md), so the
beacon, every open tab's request every 15 s, gets a server of its own. It wraps Django's
ASGI application as analytics/fastpath.py wraps the WSGI one: an anonymous post (no session
cookie, no query string, a Host Django accepts) is decided by the view's own `decide`
(analytics/views/collect.py) with its I/O done on the loop:

- the body read from the ASGI `receive`;
- the one Redis script that counts the post against its address and queues its event
  (buffer.count_and_push_async: the same Lua, keys and answers as the sync driver); the 204
  is sent only after Redis has the event;
- any call that may block (a page not yet in the process's memo, the day's salt or the
  place tables to load, the flood count without Redis, a flush to ask of a worker) in a
  thread, between Django's request signals as for any request (database connections).

What the WSGI fast path keeps is kept here too: ALLOWED_HOSTS (HostVerdicts, shared), the
reader's address through TRUSTED_PROXIES, the latency histogram of /metrics, and Django's
answer to an exception (logged, 500: Redis down never gives a 204). Everything else (a
logged-in reader, another method, path or query) goes through Django's ASGI handler, the
whole stack, unchanged.
"""

import io
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.core.handlers.exception import response_for_exception

from config import metrics
from config.middleware import real_client_address

from . import buffer
from .fastpath import beacon_route
from .views.collect import READ_BODY, CountAndPush, decide

PLAIN_TEXT = (b"content-type", b"text/plain; charset=utf-8")


def _blocking(scope, wanted):
    """A call of the decision that may wait (database, cache, broker), in a thread between
    Django's request signals, as Django's ASGI handler runs a view."""
    signals.request_started.send(sender=ASGIHandler, scope=scope)
    try:
        return wanted.function(**wanted.kwargs)
    finally:
        signals.request_finished.send(sender=ASGIHandler)


_in_thread = sync_to_async(_blocking, thread_sensitive=True)


async def _read_body(receive, length: int) -> bytes | None:
    """The body, at most `length` bytes of it; None if the client went away."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        if size < length:
            chunks.append(chunk[: length - size])
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await buffer.close_async()
            await send({"type": "lifespan.shutdown.complete"})
            return


def with_beacon_fast_path(django_app):
    """Wraps Django's ASGI application: anonymous beacon posts are answered on the loop."""
    path, match, session_cookie, anonymous, latency, hosts = beacon_route()

    async def application(scope, receive, send):
        if scope["type"] == "lifespan":
            return await _lifespan(receive, send)
        if (
            scope["type"] != "http"
            or scope["path"] != path
            or scope["method"] != "POST"
            or scope.get("query_string")
        ):
            return await django_app(scope, receive, send)
        headers = {}
        for name, value in scope["headers"]:  # joined as Django's ASGIRequest joins them
            name, value = name.decode("latin1").lower(), value.decode("latin1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        key = (
            headers.get("x-forwarded-host"),
            headers.get("host"),
            tuple(scope.get("server") or ()),
            scope.get("scheme"),
        )
        if session_cookie in headers.get("cookie", "") or not hosts.allowed(
            key, lambda: ASGIRequest(scope, io.BytesIO())
        ):  # Django answers 400 and logs DisallowedHost
            return await django_app(scope, receive, send)
        started = time.perf_counter()
        body = b""
        try:
            client = scope.get("client")
            ip = client[0] if client else ""
            if trusted := settings.TRUSTED_PROXIES:
                ip = real_client_address(ip, headers.get("x-forwarded-for", ""), tuple(trusted))
            length = headers.get("content-length") or "0"
            steps = decide(
                length=length, ip=ip, user_agent=headers.get("user-agent", ""), user=anonymous
            )
            reply = None
            while True:
                wanted = steps.send(reply)
                if wanted is READ_BODY:
                    body = reply = await _read_body(receive, int(length))
                    if body is None:
                        return  # nobody to answer; nothing was counted or kept
                elif isinstance(wanted, CountAndPush):
                    reply = await buffer.count_and_push_async(
                        wanted.counter, wanted.limit, wanted.raw
                    )
                else:
                    reply = await _in_thread(scope, wanted)
        except StopIteration as done:
            status, message = done.value
        except Exception as exc:  # noqa: BLE001 - Django's own answer: logged, 500
            return await _django_answer(scope, body, match, exc, started, send)
        if status == 204:
            latency["2xx"].observe(time.perf_counter() - started)
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        latency["4xx"].observe(time.perf_counter() - started)
        content = message.encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [PLAIN_TEXT, (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return application


def _respond_to(request, exc):
    try:  # raised again in this thread, so that Django logs it with its traceback
        raise exc
    except Exception:  # noqa: BLE001
        return response_for_exception(request, exc)


async def _django_answer(scope, body, match, exc, started, send):
    """Django's answer to an exception (a Redis outage: logged, 500)."""
    request = ASGIRequest(scope, io.BytesIO(body or b""))
    request.resolver_match = match
    response = await sync_to_async(_respond_to, thread_sensitive=True)(request, exc)
    metrics.observe(request, response.status_code, time.perf_counter() - started)
    headers = [(k.encode("latin1"), v.encode("latin1")) for k, v in response.items()]
    headers += [
        (b"set-cookie", c.output(header="").strip().encode("latin1"))
        for c in response.cookies.values()
    ]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})
