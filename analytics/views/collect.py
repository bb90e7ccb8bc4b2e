"""POST /a/collect: the beacon endpoint. Answers fast, keeps nothing that identifies.

The decision is written once, without I/O of its own (`decide`): it asks for the body, for
the Redis script that counts a post and queues its event, and for any call that may block
(database, cache), and whoever drives it performs them. `answer` drives it synchronously
(collect_view here, the WSGI fast path of analytics/fastpath.py); analytics/asgi.py drives
it on an event loop (the beacon server, deploy/systemd/hoitu-beacon.service). So the three
cannot drift: same validation, same flood count, same event."""

import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.middleware import client_ip

from .. import buffer, collect, services

logger = logging.getLogger(__name__)


def _counter(ip: str) -> str:
    """Fixed one-minute window per address (hashed: the cache never holds an IP)."""
    minute = int(timezone.now().timestamp() // 60)
    return f"analytics:rl:{hashlib.sha256(ip.encode()).hexdigest()[:20]}:{minute}"


def _flooding_in_cache(key: str, limit: int) -> bool:
    """The flood count without the Redis buffer (`make run`): the cache's add + incr."""
    if cache.add(key, 1, 90):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 90)
        return False
    return count > limit


TOO_LARGE = (413, "body too large or without length")
FLOODING = (429, "too many events from this address")
ACCEPTED = (204, "")
UNKNOWN_PAGE = (400, "unknown page for this site")

# What the decision asks of its driver (the value sent back into it):
READ_BODY = "read body"  # -> the body: `length` bytes


@dataclass(frozen=True)
class CountAndPush:
    """-> buffer.count_and_push(counter, limit, raw): -1 over the limit, else the queue's
    length (0 when `raw` is empty: only counted)."""

    counter: str
    limit: int
    raw: str = ""


@dataclass(frozen=True)
class Blocking:
    """-> function(**kwargs): a call that may wait on the database or the cache (an event
    loop runs it in a thread)."""

    function: object
    kwargs: dict = field(default_factory=dict)


def _accept_looked_up(*, payload: dict, ip: str, user_agent: str, user) -> tuple[int, str]:
    """A counted post whose page this process does not know yet: look it up, keep the event
    (and load what the next events need, see collect.event_in_memory)."""
    info = collect.page_info(payload["page_id"], payload["site_id"])
    if info is None:
        return UNKNOWN_PAGE
    event = collect.build_event_loading(
        payload=payload, info=info, ip=ip, user_agent=user_agent, user=user, now=timezone.now()
    )
    services.event_accept(event=event)
    return ACCEPTED


def decide(*, length: str, ip: str, user_agent: str, user):
    """The beacon's decision, as a generator of I/O requests (READ_BODY, CountAndPush,
    Blocking) that returns (status, plain-text message). Every post that declares an
    acceptable length counts against its address's flood limit, exactly once; over it,
    429 and nothing is kept. Then: 400 with the reason for a bad body or an unknown page,
    204 for a bot (not counted) and for an accepted event, which is on the buffer (or in
    the database) before the answer leaves."""
    if not length.isdigit() or int(length) > settings.ANALYTICS_MAX_BODY_BYTES:
        return TOO_LARGE
    body = yield READ_BODY
    try:
        payload, error = collect.parse(body), ""
    except collect.BeaconError as exc:
        payload, error = None, str(exc)
    user_agent = user_agent[:512]
    bot = payload is not None and collect.is_bot(user_agent)
    counter, limit = _counter(ip), settings.ANALYTICS_RATE_LIMIT_PER_MINUTE
    if payload is not None and not bot and buffer.enabled():
        # The usual case: a page this process knows, no I/O before the one round trip
        # that counts the post and queues the event together.
        info = collect.page_info_memo(payload["page_id"], payload["site_id"])
        if info is not None and info is not collect.MISS:
            now = timezone.now()
            event = dict(payload=payload, info=info, ip=ip, user_agent=user_agent, user=user)
            if collect.event_in_memory(user=user, now=now):
                event = collect.build_event(**event, now=now)
            else:  # the day's salt, the place tables: from the database now and then
                event = yield Blocking(collect.build_event_loading, dict(event, now=now))
            size = yield CountAndPush(counter, limit, json.dumps(event))
            if size < 0:
                return FLOODING
            if services.flush_due(size):
                yield Blocking(services.flush_request)
            return ACCEPTED
    # Otherwise count first, so that a flood never reaches the page lookup's database.
    if buffer.enabled():
        flooding = (yield CountAndPush(counter, limit)) < 0
    else:
        flooding = yield Blocking(_flooding_in_cache, {"key": counter, "limit": limit})
    if flooding:
        return FLOODING
    if payload is None:
        return 400, error
    if bot:
        return ACCEPTED  # not counted; nothing to tell a crawler
    return (
        yield Blocking(
            _accept_looked_up,
            dict(payload=payload, ip=ip, user_agent=user_agent, user=user),
        )
    )


def answer(*, length: str, read_body, ip: str, user_agent: str, user) -> tuple[int, str]:
    """decide(), driven synchronously: (status, plain-text message). `read_body()` returns
    the body; it is called only once `length` is digits within the limit."""
    steps = decide(length=length, ip=ip, user_agent=user_agent, user=user)
    reply = None
    try:
        while True:
            wanted = steps.send(reply)
            if wanted is READ_BODY:
                reply = read_body()
            elif isinstance(wanted, CountAndPush):
                reply = buffer.count_and_push(wanted.counter, wanted.limit, wanted.raw)
            else:
                reply = wanted.function(**wanted.kwargs)
    except StopIteration as done:
        return done.value


@csrf_exempt  # no cookie is needed or read for the decision; the body is validated
@require_POST
def collect_view(request):
    status, message = answer(
        length=request.META.get("CONTENT_LENGTH") or "0",
        read_body=lambda: request.body,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        user=request.user,
    )
    if status == 204:
        return HttpResponse(status=204)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
