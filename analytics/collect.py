"""Turns one beacon post into an event row: strict validation, bot filtering, the
cookieless visitor hash, the reader's place, the channel and the platform. Everything that
could identify a reader (IP address, user agent) is used here and dropped here: the
buffer and the database only ever see the derived values."""

import bisect
import datetime
import hashlib
import ipaddress
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.utils import timezone
from wagtail.models import Page

from newsroom.models import Place, StoryPage

from .models import PLACE_ELSEWHERE, DailySalt, EventKind, IpRange


class BeaconError(ValueError):
    """A post the endpoint refuses; the message says exactly why (English, for logs)."""


ALLOWED_KEYS = {"k", "p", "s", "sec", "m", "r"}
MAX_SECONDS = 60  # the beacon beats every 15 s; a minute covers a throttled background tab
SECONDS_KINDS = {EventKind.HEARTBEAT, EventKind.MEDIA_PROGRESS}
MEDIA_KINDS = {EventKind.MEDIA_PLAY, EventKind.MEDIA_PROGRESS}
# Newsletter opens and clicks are recorded by the newsletters app from its own signed
# links; a beacon post cannot claim them.
SERVER_KINDS = {
    EventKind.NEWSLETTER_OPEN,
    EventKind.NEWSLETTER_CLICK,
    # The push app's: sent/failed/expired by its workers, delivered/clicked by its own
    # signed receipt and click addresses.
    EventKind.PUSH_SENT,
    EventKind.PUSH_DELIVERED,
    EventKind.PUSH_FAILED,
    EventKind.PUSH_EXPIRED,
    EventKind.PUSH_CLICK,
}
BEACON_KINDS = set(EventKind.values) - SERVER_KINDS


def _int(payload, key, *, required):
    value = payload.get(key)
    if value is None:
        if required:
            raise BeaconError(f"missing field '{key}'")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**31:
        raise BeaconError(f"field '{key}' must be a non-negative integer")
    return value


def parse(body: bytes) -> dict:
    if len(body) > settings.ANALYTICS_MAX_BODY_BYTES:
        raise BeaconError(f"body larger than {settings.ANALYTICS_MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BeaconError("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise BeaconError("body must be a JSON object")
    unknown = set(payload) - ALLOWED_KEYS
    if unknown:
        raise BeaconError("unknown fields: " + ", ".join(sorted(unknown)))
    kind = payload.get("k")
    if kind not in BEACON_KINDS:
        raise BeaconError(f"unknown event type {kind!r}")
    page_id = _int(payload, "p", required=True)
    site_id = _int(payload, "s", required=True)
    seconds = _int(payload, "sec", required=kind in SECONDS_KINDS) or 0
    if kind not in SECONDS_KINDS and seconds:
        raise BeaconError(f"'sec' is not allowed for {kind}")
    if seconds > MAX_SECONDS:
        raise BeaconError(f"'sec' above {MAX_SECONDS}")
    media = payload.get("m", "")
    if kind in MEDIA_KINDS and media not in ("audio", "video"):
        raise BeaconError("'m' must be 'audio' or 'video' for media events")
    if kind not in MEDIA_KINDS and media:
        raise BeaconError(f"'m' is not allowed for {kind}")
    referrer = payload.get("r", "")
    if not isinstance(referrer, str) or len(referrer) > 500:
        raise BeaconError("'r' must be a string of at most 500 characters")
    return {
        "kind": kind,
        "page_id": page_id,
        "site_id": site_id,
        "seconds": seconds,
        "media": media,
        "referrer": referrer,
    }


# --- Pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    site_id: int
    hostname: str
    section_id: int | None
    story_format: str


# Per-process memo in front of the shared cache: every Redis round trip on the hot path
# costs about as much as the rest of the request (measured with bench/analytics_beacon.py).
_memo: dict = {}
MEMO_SECONDS = 30
MEMO_MAX = 20_000


def _memo_get(key, *, margin: float = 0.0):
    """The memo's value, if it is still good for `margin` seconds."""
    hit = _memo.get(key)
    if hit is not None and hit[0] > time.monotonic() + margin:
        return hit[1]
    return None


def _memo_set(key, value):
    if len(_memo) >= MEMO_MAX:
        _memo.clear()
    _memo[key] = (time.monotonic() + MEMO_SECONDS, value)


def page_key(page_id: int) -> str:
    return f"analytics:page:{page_id}"


MISS = object()


def page_info_memo(page_id: int, site_id: int):
    """page_info() from this process's memo alone (no I/O): the PageInfo, None (not a live
    page of that site) or MISS (not in the memo; ask page_info())."""
    cached = _memo_get(page_key(page_id))
    if cached is None:
        return MISS
    if not cached or cached["site_id"] != site_id:
        return None
    return PageInfo(**cached)


def page_info(page_id: int, site_id: int) -> PageInfo | None:
    """The live page `page_id` of site `site_id`, or None; cached (positive and negative)
    so that a flood of posts does not reach the database. Publishing or unpublishing the
    page clears the shared entry (see apps.py); other processes follow within
    MEMO_SECONDS."""
    key = page_key(page_id)
    cached = _memo_get(key)
    if cached is None:
        cached = cache.get(key)
        if cached is None:
            cached = _lookup(page_id)
            cache.set(key, cached, 300)
        _memo_set(key, cached)
    if not cached or cached["site_id"] != site_id:
        return None
    return PageInfo(**cached)


def _lookup(page_id: int) -> dict:
    page = Page.objects.live().filter(pk=page_id).first()
    if page is None:
        return {}
    site = page.get_site()
    if site is None:
        return {}
    story = StoryPage.objects.filter(pk=page_id).values("primary_format").first()
    return {
        "site_id": site.pk,
        "hostname": site.hostname,
        "section_id": page.get_parent().pk if story else None,
        "story_format": story["primary_format"] if story else "",
    }


# --- Bots, platform, channel --------------------------------------------------------------

_crawler_detect = CrawlerDetect()


_bot_memo: dict[str, bool] = {}
BOT_MEMO_MAX = 5_000


def is_bot(user_agent: str) -> bool:
    if not user_agent.strip():
        return True  # real browsers always send one
    # The crawler patterns are one large regex; readers share a few hundred user agents.
    verdict = _bot_memo.get(user_agent)
    if verdict is None:
        if len(_bot_memo) >= BOT_MEMO_MAX:
            _bot_memo.clear()
        verdict = _bot_memo[user_agent] = bool(_crawler_detect.isCrawler(user_agent))
    return verdict


def platform_of(user_agent: str) -> str:
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua:
        return "mobile"
    return "desktop"


SEARCH_HOSTS = ("google.", "bing.", "coccoc.", "yahoo.", "duckduckgo.", "yandex.", "baidu.")
SOCIAL_HOSTS = ("facebook.", "fb.", "zalo.", "tiktok.", "youtube.", "twitter.", "x.com", "t.co")


def channel_of(referrer: str, own_host: str) -> str:
    if not referrer:
        return "direct"
    host = (urlsplit(referrer).hostname or "").lower()
    if not host:
        return "direct"
    if host == own_host.lower():
        return "internal"
    if any(h in host for h in SEARCH_HOSTS):
        return "search"
    if any(h in host for h in SOCIAL_HOSTS):
        return "social"
    return "referral"


# --- Visitors -----------------------------------------------------------------------------

_salts: dict[datetime.date, str] = {}


def salt_for(day: datetime.date) -> str:
    """The secret of `day`, made on first use. Kept in the database so every web process
    hashes alike; `salts_purge` destroys it two days later."""
    secret = _salts.get(day)
    if secret is None:
        row = DailySalt.objects.filter(day=day).first()
        if row is None:
            try:
                row = DailySalt.objects.create(day=day, secret=secrets.token_hex(32))
            except IntegrityError:
                row = DailySalt.objects.get(day=day)
        secret = _salts[day] = row.secret
        for old in [d for d in _salts if d < day - datetime.timedelta(days=1)]:
            del _salts[old]
    return secret


def visitor_hash(*, ip: str, user_agent: str, site_id: int, when: datetime.datetime) -> str:
    day = timezone.localtime(when).date()
    material = f"{salt_for(day)}|{ip}|{user_agent}|{site_id}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


# --- Places -------------------------------------------------------------------------------


def ip_key(address) -> str:
    return str(int(address)).zfill(39)


IP_TABLE_SECONDS = 300
_ranges: dict = {"loaded_at": 0.0, "version": None, "firsts": [], "rows": []}


def _ip_table():
    """The imported IP table, kept in memory and reloaded when an import bumps the
    version (or at least every IP_TABLE_SECONDS)."""
    version = _memo_get("ipranges:version")
    if version is None:
        version = cache.get("analytics:ipranges:version") or "none"
        _memo_set("ipranges:version", version)
    if _ranges["version"] != version or time.monotonic() - _ranges["loaded_at"] > IP_TABLE_SECONDS:
        rows = list(IpRange.objects.order_by("first").values_list("first", "last", "place_code"))
        _ranges.update(
            loaded_at=time.monotonic(),
            version=version,
            firsts=[r[0] for r in rows],
            rows=rows,
        )
    return _ranges


def place_from_ip(ip: str) -> int | None:
    try:
        key = ip_key(ipaddress.ip_address(ip))
    except ValueError:
        return None
    table = _ip_table()
    index = bisect.bisect_right(table["firsts"], key) - 1
    # Ranges are imported without overlaps, so the nearest start below is the only candidate.
    if index >= 0:
        first, last, code = table["rows"][index]
        if first <= key <= last:
            return code
    return None


def _known_codes() -> set[int]:
    codes = _memo_get("place-codes")
    if codes is None:
        codes = set(Place.objects.values_list("code", flat=True))
        _memo_set("place-codes", codes)
    return codes


def place_of_reader(user) -> int | None:
    """The commune the logged-in reader gave in their profile (paywall), if any. Kept in
    the per-process memo: a reading tab posts every 15 s, and a changed profile is
    followed within MEMO_SECONDS."""
    if user is None or not user.is_authenticated:
        return None
    key = f"reader:{user.pk}"
    hit = _memo_get(key)  # (code,): a reader without a commune is remembered too
    if hit is None:
        try:
            from paywall.selectors import reader_commune_code
        except ImportError:
            return None
        hit = (reader_commune_code(user),)
        _memo_set(key, hit)
    code = hit[0]
    return code if code in _known_codes() else None


def place_of(*, ip: str, user) -> int | None:
    code = place_of_reader(user)
    if code is None:
        code = place_from_ip(ip)
    if code is None or (code != PLACE_ELSEWHERE and code not in _known_codes()):
        return None
    return code


# An event loop calls build_event() inline only when it will not wait on I/O; the memos
# must still be good a while after this check, whatever the loop does meanwhile.
IN_MEMORY_MARGIN = 2.0


def event_in_memory(*, user, now: datetime.datetime) -> bool:
    """Whether build_event(user=user, now=now) will find everything in this process's
    memory (an anonymous reader, the day's salt, the IP table and the place codes), so that
    an event loop may call it without a thread; otherwise it may query the database."""
    if user is not None and user.is_authenticated:
        return False
    if timezone.localtime(now).date() not in _salts:
        return False
    if _memo_get("place-codes", margin=IN_MEMORY_MARGIN) is None:
        return False
    version = _memo_get("ipranges:version", margin=IN_MEMORY_MARGIN)
    return (
        version is not None
        and _ranges["version"] == version
        and time.monotonic() - _ranges["loaded_at"] < IP_TABLE_SECONDS - IN_MEMORY_MARGIN
    )


def build_event_loading(**kwargs) -> dict:
    """build_event() after loading what event_in_memory() looks for (the next events of
    the day are then built without I/O). Blocking: the database, the cache."""
    salt_for(timezone.localtime(kwargs["now"]).date())
    _ip_table()
    _known_codes()
    return build_event(**kwargs)


def build_event(
    *,
    payload: dict,
    info: PageInfo,
    ip: str,
    user_agent: str,
    user,
    channel: str = "",
    now: datetime.datetime | None = None,
) -> dict:
    """`channel` overrides the one read from the referrer (the newsletters app's events
    say "email"); `now` is the time of the event (default: now)."""
    now = now or timezone.now()
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": now.isoformat(),
        "kind": payload["kind"],
        "site_id": info.site_id,
        "page_id": payload["page_id"],
        "section_id": info.section_id,
        "story_format": info.story_format,
        "visitor": visitor_hash(ip=ip, user_agent=user_agent, site_id=info.site_id, when=now),
        "place_code": place_of(ip=ip, user=user),
        "channel": channel or channel_of(payload["referrer"], info.hostname),
        "platform": platform_of(user_agent),
        "seconds": payload["seconds"],
        "media": payload["media"],
    }
