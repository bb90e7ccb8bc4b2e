"""POST /a/collect: the beacon endpoint. Answers fast, keeps nothing that identifies."""

import hashlib
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


def _flooding(ip: str) -> bool:
    """Fixed one-minute window per address (hashed: the cache never holds an IP)."""
    minute = int(timezone.now().timestamp() // 60)
    key = f"analytics:rl:{hashlib.sha256(ip.encode()).hexdigest()[:20]}:{minute}"
    if buffer.enabled():  # one round trip instead of the cache's add + incr
        key = f"{buffer.keys()[0]}:{key}"
        pipe = buffer.client().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 90)
        count, _ = pipe.execute()
        return count > settings.ANALYTICS_RATE_LIMIT_PER_MINUTE
    if cache.add(key, 1, 90):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 90)
        return False
    return count > settings.ANALYTICS_RATE_LIMIT_PER_MINUTE


def _bad(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # no cookie is needed or read for the decision; the body is validated
@require_POST
def collect_view(request):
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.ANALYTICS_MAX_BODY_BYTES:
        return _bad("body too large or without length", 413)
    ip = client_ip(request)
    if _flooding(ip):
        return _bad("too many events from this address", 429)
    try:
        payload = collect.parse(request.body)
    except collect.BeaconError as exc:
        return _bad(str(exc))
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    if collect.is_bot(user_agent):
        return HttpResponse(status=204)  # not counted; nothing to tell a crawler
    info = collect.page_info(payload["page_id"], payload["site_id"])
    if info is None:
        return _bad("unknown page for this site")
    event = collect.build_event(
        payload=payload, info=info, ip=ip, user_agent=user_agent, user=request.user
    )
    services.event_accept(event=event)
    return HttpResponse(status=204)
