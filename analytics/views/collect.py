"""POST /a/collect: the beacon endpoint. Answers fast, keeps nothing that identifies."""

import hashlib
import json
import logging

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


def _flooding(ip: str) -> bool:
    key = _counter(ip)
    limit = settings.ANALYTICS_RATE_LIMIT_PER_MINUTE
    if buffer.enabled():  # one round trip instead of the cache's add + incr
        return buffer.count_and_push(key, limit) < 0
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


def answer(*, length: str, read_body, ip: str, user_agent: str, user) -> tuple[int, str]:
    """The beacon's decision, shared by collect_view and the WSGI fast path
    (analytics/fastpath.py): (status, plain-text message). Every post that declares an
    acceptable length counts against its address's flood limit, exactly once; over it,
    429 and nothing is kept. Then: 400 with the reason for a bad body or an unknown page,
    204 for a bot (not counted) and for an accepted event, which is on the buffer (or in
    the database) before the answer leaves."""
    if not length.isdigit() or int(length) > settings.ANALYTICS_MAX_BODY_BYTES:
        return TOO_LARGE
    try:
        payload, error = collect.parse(read_body()), ""
    except collect.BeaconError as exc:
        payload, error = None, str(exc)
    user_agent = user_agent[:512]
    bot = payload is not None and collect.is_bot(user_agent)
    if payload is not None and not bot and buffer.enabled():
        # The usual case: a page this process knows, no I/O before the one round trip
        # that counts the post and queues the event together.
        info = collect.page_info_memo(payload["page_id"], payload["site_id"])
        if info is not None and info is not collect.MISS:
            event = collect.build_event(
                payload=payload, info=info, ip=ip, user_agent=user_agent, user=user
            )
            size = buffer.count_and_push(
                _counter(ip), settings.ANALYTICS_RATE_LIMIT_PER_MINUTE, json.dumps(event)
            )
            if size < 0:
                return FLOODING
            services.event_queued(size)
            return ACCEPTED
    # Otherwise count first, so that a flood never reaches the page lookup's database.
    if _flooding(ip):
        return FLOODING
    if payload is None:
        return 400, error
    if bot:
        return ACCEPTED  # not counted; nothing to tell a crawler
    info = collect.page_info(payload["page_id"], payload["site_id"])
    if info is None:
        return 400, "unknown page for this site"
    event = collect.build_event(payload=payload, info=info, ip=ip, user_agent=user_agent, user=user)
    services.event_accept(event=event)
    return ACCEPTED


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
