"""Refresh of nginx's page cache when the newsroom changes what readers see.

Open-source nginx cannot purge; it can be told to fetch a page again and keep the fresh
copy: deploy/nginx/hoitu.conf bypasses (and refills) its cache for a request from
loopback carrying `X-Hoitu-Cache-Refresh: <HOITU_PAGE_CACHE_REFRESH_KEY>`. On a publish
(an update or a correction is a new published revision), an unpublish (takedown), a
move or a deletion, the pages that show the story are asked for again through every
nginx in HOITU_PAGE_CACHE_REFRESH_URLS: the story, its section, the home page, its tag
and author listings, the stories listing it under "Xem thêm", the RSS feeds and sitemaps.
Done by a Celery task after the commit, retried while nginx does not answer; the editor
never waits. Refreshes are merged per host: a publish adds its paths to a Redis set and
queues a task only when none is waiting, and the task takes every path gathered so far,
so fifty publishes in a row (an import, a busy desk) cost one pass over the union of
their pages rather than fifty passes queued one behind the other (the last update would
wait behind them all). Empty list: off (the 5-second Cache-Control still brings the
change to readers). docs/deploy.md."""

import http.client
import logging
import ssl
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

logger = logging.getLogger(__name__)

HEADER = "X-Hoitu-Cache-Refresh"
# Looks like a browser to the paywall (a crawler gets another teaser), says who it is.
USER_AGENT = "Mozilla/5.0 (compatible; HoiTuCacheRefresh/1.0)"
# nginx keeps one copy per encoding (gzip or not: hoitu.conf's $hoitu_encoding).
ENCODINGS = ("gzip", "")


class RefreshFailed(RuntimeError):
    pass


def enabled() -> bool:
    return bool(settings.HOITU_PAGE_CACHE_REFRESH_URLS and settings.HOITU_PAGE_CACHE_REFRESH_KEY)


def paths_showing(page) -> tuple[str, list[str]] | None:
    """(host, paths) of the reader pages that show `page`: itself, its ancestors up to the
    site's home, and for a story its tag and author listings and the feeds."""
    from .models import StoryPage

    parts = page.get_url_parts()
    if parts is None:
        return None
    site_id, root_url, path = parts
    host = urlsplit(root_url).hostname
    paths = [path]
    for ancestor in page.get_ancestors().filter(depth__gt=1):
        ancestor_parts = ancestor.get_url_parts()
        if ancestor_parts and ancestor_parts[0] == site_id:
            paths.append(ancestor_parts[2])
    story = page.specific_deferred
    if isinstance(story, StoryPage):
        home = min(paths, key=len)
        paths += [f"{home}tag/{tag.slug}/" for tag in story.tags.all()]
        paths += [
            f"{home}tac-gia/{b.author.staff_profile.slug}/"
            for b in story.bylines.select_related("author__staff_profile")
            if getattr(b.author, "staff_profile", None)
        ]
        section = story.get_parent()
        paths += ["/rss/", f"/{section.slug}/rss/", "/sitemap.xml", "/sitemap-news.xml"]
        # The live stories that list it under "Xem thêm" (same outlet: newsroom.forms).
        linking_stories = StoryPage.objects.live().filter(related_links__target=story)
        for linking in linking_stories.distinct().only("url_path"):
            linking_parts = linking.get_url_parts()
            if linking_parts and linking_parts[0] == site_id:
                paths.append(linking_parts[2])
    return host, list(dict.fromkeys(paths))


def refresh(host: str, paths: list[str]) -> list[tuple[str, int]]:
    """Asks every configured nginx for each path again (both encodings); returns
    (path, status) and raises RefreshFailed if any nginx could not be reached."""
    done, failures = [], []
    verify = settings.HOITU_PAGE_CACHE_REFRESH_VERIFY
    for base in settings.HOITU_PAGE_CACHE_REFRESH_URLS:
        url = urlsplit(base)
        for path in paths:
            for encoding in ENCODINGS:
                try:
                    status = _get(url, host, path, encoding, verify)
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{base}{path}: {exc}")
                    break
                done.append((path, status))
    if failures:
        raise RefreshFailed("; ".join(failures[:5]))
    return done


def _get(url, host, path, encoding, verify) -> int:
    timeout = settings.HOITU_PAGE_CACHE_REFRESH_TIMEOUT
    if url.scheme == "https":
        context = ssl.create_default_context()
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif isinstance(verify, str):
            context.load_verify_locations(verify)
        conn = http.client.HTTPSConnection(
            url.hostname, url.port or 443, timeout=timeout, context=context
        )
    else:
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    headers = {
        "Host": host,
        HEADER: settings.HOITU_PAGE_CACHE_REFRESH_KEY,
        "User-Agent": USER_AGENT,
    }
    if encoding:
        headers["Accept-Encoding"] = encoding
    try:
        # As a browser sends it (nginx keys on the request line): UTF-8, percent-encoded.
        conn.request("GET", quote(path, safe="/:@!$&'()*+,;=-._~%?"), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def schedule(page) -> None:
    """After the commit, a task refreshes what shows `page` (nothing when switched off)."""
    if not enabled():
        return
    try:
        found = paths_showing(page)
    except Exception:  # a refresh must never break a publish
        logger.exception("Page cache refresh: cannot list the pages showing page %s", page.pk)
        return
    if found is None:
        return
    host, paths = found
    # robust: a broker down (or an eager refresh failing) is logged, never the editor's error.
    transaction.on_commit(lambda: request_refresh(host, paths), robust=True)


PENDING_KEY = "hoitu:page-refresh:pending:{host}"  # a set of paths waiting for a pass
QUEUED_KEY = "hoitu:page-refresh:queued:{host}"  # a task is waiting to take them
# A queued task lost with the broker: the next publish queues another after this long.
QUEUED_TTL = 60
PENDING_TTL = 3600


def _redis():
    """The cache's Redis connection, or None (SQLite/locmem set-ups: no merging)."""
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


def request_refresh(host: str, paths: list[str]) -> None:
    """Adds `paths` to the host's pending set, then queues a pass unless one is already
    waiting (it will take these too). In that order: a task clears its flag before it
    takes the set, so whatever was added before a failed flag check is still taken."""
    from .tasks import refresh_page_cache

    redis = _redis()
    if redis is None:
        refresh_page_cache.delay(host, paths)
        return
    pending, queued = PENDING_KEY.format(host=host), QUEUED_KEY.format(host=host)
    with redis.pipeline() as pipe:
        pipe.sadd(pending, *paths).expire(pending, PENDING_TTL).execute()
    if redis.set(queued, "1", nx=True, ex=QUEUED_TTL):
        refresh_page_cache.delay(host, [])


def take_pending(host: str, paths: list[str]) -> list[str]:
    """For the task: clears the "queued" flag, then takes every pending path of the host
    (with `paths`, those its own message carried)."""
    redis = _redis()
    if redis is None:
        return list(paths)
    pending, queued = PENDING_KEY.format(host=host), QUEUED_KEY.format(host=host)
    redis.delete(queued)
    with redis.pipeline() as pipe:  # MULTI: nothing added between the read and the delete
        taken, _ = pipe.smembers(pending).delete(pending).execute()
    return list(dict.fromkeys([*paths, *sorted(p.decode() for p in taken)]))


def give_back(host: str, paths: list[str]) -> None:
    """A pass that failed puts its paths back for the next one (its retry included)."""
    redis = _redis()
    if redis is not None and paths:
        pending = PENDING_KEY.format(host=host)
        with redis.pipeline() as pipe:
            pipe.sadd(pending, *paths).expire(pending, PENDING_TTL).execute()


def _changed(sender, instance, **kwargs):
    schedule(instance)


def _deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    # Before the row goes (its URL and ancestors are still known); the refresh runs
    # after the commit and finds the page gone (404).
    if type(instance) is Page or not isinstance(instance, Page):
        return
    schedule(instance)


def connect() -> None:
    page_published.connect(_changed, dispatch_uid="page-refresh-published")
    page_unpublished.connect(_changed, dispatch_uid="page-refresh-unpublished")
    post_page_move.connect(_changed, dispatch_uid="page-refresh-moved")
    pre_delete.connect(_deleted, dispatch_uid="page-refresh-deleted")
