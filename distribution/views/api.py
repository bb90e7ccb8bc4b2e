"""Press data sharing API for partner agencies: `Authorization: Bearer <key>`."""

import datetime
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..content import public_stories, public_story
from ..demo import DEMO_PARTNER_KEY
from ..models import PartnerKey, hash_key
from ..selectors import shareable_stories
from ..sharing import newsml_item, ninjs_item

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A page past this is refused, not passed on: a 20-digit page made an OFFSET beyond
# PostgreSQL's bigint (a 500). 100 000 pages of 200 is far more than any archive.
MAX_PAGE = 100_000


def _partner(request) -> PartnerKey | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    # The demo key is printed in the README: refused wherever demo content is (production).
    if not settings.HOITU_ALLOW_DEMO and raw.strip() == DEMO_PARTNER_KEY:
        logger.warning("Sharing API: the public demo partner key was refused")
        return None
    # Looked up by the key's SHA-256: the raw key is never stored nor compared.
    key = PartnerKey.objects.filter(key_hash=hash_key(raw.strip()), active=True).first()
    if key is None:
        return None
    PartnerKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": "unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="hoitu"'
    return response


def partner_required(view):
    def wrapped(request, *args, **kwargs):
        if _partner(request) is None:
            return _unauthorized()
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return never_cache(require_GET(wrapped))


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@partner_required
def ninjs_list(request):
    stories = shareable_stories().order_by("-last_published_at", "-pk")
    since_raw = request.GET.get("since")
    if since_raw:
        since = parse_datetime(since_raw)
        if since is None:
            return _bad_request("'since' must be an ISO 8601 date-time, e.g. 2025-01-31T08:00:00Z")
        if timezone.is_naive(since):
            since = timezone.make_aware(since, timezone.get_current_timezone())
        try:  # the database may store it in UTC: year 1 or 9999 overflows there (a 500)
            since.astimezone(datetime.UTC)
        except OverflowError:
            return _bad_request("'since' is out of range once converted to UTC")
        stories = stories.filter(last_published_at__gt=since)
    try:
        page = int(request.GET.get("page", "1"))
        size = int(request.GET.get("page_size", str(PAGE_SIZE)))
    except ValueError:
        return _bad_request("'page' and 'page_size' must be whole numbers")
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= MAX_PAGE_SIZE:
        return _bad_request(f"1 ≤ 'page' ≤ {MAX_PAGE} and 1 ≤ 'page_size' ≤ {MAX_PAGE_SIZE}")
    total = stories.count()
    chunk = public_stories(stories[(page - 1) * size : page * size])
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.GET.items() if k in ("since", "page_size")}
    data = {
        "count": total,
        "page": page,
        "page_size": size,
        "next": f"{base}?{urlencode({**params, 'page': page + 1})}"
        if page * size < total
        else None,
        "items": [ninjs_item(story) for story in chunk],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _story_or_404(pk: int):
    story = shareable_stories().filter(pk=pk).first()
    if story is None:
        raise Http404("No shareable story with this id")
    return story


@partner_required
def ninjs_detail(request, pk: int):
    story = _story_or_404(pk)
    return JsonResponse(ninjs_item(public_story(story)), json_dumps_params={"ensure_ascii": False})


@partner_required
def newsml_detail(request, pk: int):
    story = _story_or_404(pk)
    return HttpResponse(
        newsml_item(public_story(story)),
        content_type="application/vnd.iptc.g2.newsitem+xml; charset=utf-8",
    )


__all__ = ["ninjs_list", "ninjs_detail", "newsml_detail"]
