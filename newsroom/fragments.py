"""Cached fragments of reader pages (menus, the home page's lists, a section's list, the
outlet's masthead and footer, a free story's body) and the one counter that retires them.

Every fragment key carries the *generation*, a number kept in the cache (Redis in
production) and bumped whenever something a reader page shows may have changed: a page
saved (a draft revision too), published, unpublished, moved or deleted, an outlet, agency
or site edited. A bumped
generation makes every old key unreachable at once (they expire by themselves), so no
reader ever gets a stale fragment after a publish, and there is no list of keys to purge.
Only what is the same for every reader goes into a fragment: the paywall's decision,
the meter, players with signed links and anything of a logged-in reader stay outside
(docs/architecture.md, "Render cost")."""

import logging
import pickle
import secrets
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

logger = logging.getLogger(__name__)

GENERATION_KEY = "hoitu:fragments:generation"
# How long a fragment stays when nothing is published: the generation retires it sooner.
FRAGMENT_SECONDS = 600

_local = threading.local()


def generation() -> int:
    """The current generation (one cache read, remembered for the current request)."""
    cached = getattr(_local, "generation", None)
    if cached is not None:
        return cached
    value = cache.get(GENERATION_KEY)
    if value is None:
        # First use, or Redis lost it (an eviction may have kept fragments of an earlier
        # count): a number never used before, not 1.
        cache.add(GENERATION_KEY, _unused_number(), timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    _local.generation = value
    return value


def forget_request_generation(**kwargs) -> None:
    """request_started/finished: the next request reads the counter again."""
    _local.generation = None
    _local.outlets = None


def _incr() -> None:
    _local.generation = None
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet
            cache.add(GENERATION_KEY, _unused_number(), timeout=None)
    except Exception:  # the cache down must not fail a publish; fragments expire anyway
        logger.exception("Could not bump the fragment generation")


def bump() -> None:
    """Retires every fragment: at once (this process's next render is fresh even inside
    the transaction) and again after the commit, since a reader rendering between the two
    may have stored the old content under the first new generation."""
    _incr()
    transaction.on_commit(_incr, robust=True)


def _unused_number() -> int:
    return secrets.randbelow(2**52) + 2


def start_new_generation() -> None:
    """A generation never used before (tests: no fragment of an earlier test's rolled-back
    content is found by the next one)."""
    cache.set(GENERATION_KEY, _unused_number(), timeout=None)
    forget_request_generation()


class _ProcessTier:
    """What this process already read from the cache for the current generation, so a
    fragment read many times costs a dictionary look-up rather than a Redis round trip.

    Keys carry the generation, so an entry can never be stale: the whole tier is dropped
    as soon as a request reads a new generation (one Redis read per request, as before),
    and it holds at most HOITU_FRAGMENT_PROCESS_CHARS characters (least recently used
    out first). Text is kept as is; anything else as pickled bytes, unpickled on each
    read, so no request ever shares an object with another."""

    def __init__(self):
        self.lock = threading.Lock()
        self.generation = None
        self.items: OrderedDict = OrderedDict()
        self.size = 0

    def _current(self, current) -> None:
        if current != self.generation:
            self.items.clear()
            self.size = 0
            self.generation = current

    def get(self, key, current):
        with self.lock:
            self._current(current)
            held = self.items.get(key)
            if held is None:
                return None
            self.items.move_to_end(key)
        return held if isinstance(held, str) else pickle.loads(held)

    def put(self, key, value, current) -> None:
        held = value if isinstance(value, str) else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        limit = settings.HOITU_FRAGMENT_PROCESS_CHARS
        if len(held) > limit:
            return
        with self.lock:
            self._current(current)
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.items[key] = held
            self.size += len(held)
            while self.size > limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)


_tier = _ProcessTier()


def fragment_key(*parts) -> str:
    """A cache key under the current generation."""
    return ":".join(["hoitu:fragments", str(generation()), *map(str, parts)])


def read(key):
    """A fragment (or any value stored with `store`) of the current generation: from this
    process if it already read it, else from the cache; None when neither has it."""
    current = generation()
    value = _tier.get(key, current)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _tier.put(key, value, current)
    return value


def store(key, value) -> None:
    """Keeps a value for the current generation, in the cache and in this process."""
    cache.set(key, value, FRAGMENT_SECONDS)
    _tier.put(key, value, generation())


def remembered(compute, *parts):
    """compute() once per generation for these key parts, then from the cache (None too).
    Only for what is the same for every reader and changes only with what bumps the
    generation."""
    key = fragment_key(*parts)
    held = read(key)
    if held is None:
        held = (compute(),)
        store(key, held)
    return held[0]


def outlet_for_site(site):
    """The outlet (with its agency) of a site, from the cache for the current generation:
    the masthead, title and footer of every reader page need it."""
    from .models import Outlet

    if site is None:
        return None
    outlets = getattr(_local, "outlets", None)
    if outlets is None:
        outlets = _local.outlets = {}
    memo = (generation(), site.pk)
    if memo not in outlets:
        outlets[memo] = remembered(
            lambda: Outlet.objects.select_related("agency").filter(site=site).first(),
            "outlet",
            site.pk,
        )
    return outlets[memo]


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(page_slug_changed)
def _page_changed(sender, **kwargs):
    bump()


def _model_changed(sender, **kwargs):
    bump()


def connect() -> None:
    """Deletions and the outlet/agency/site edits (called from NewsroomConfig.ready)."""
    from django.core.signals import request_finished, request_started
    from wagtail.models import PageViewRestriction, Site

    from .models import Agency, Outlet

    request_started.connect(forget_request_generation, dispatch_uid="fragments-start")
    request_finished.connect(forget_request_generation, dispatch_uid="fragments-finish")
    # A view restriction: routes carry the page's restrictions (newsroom/routing.py).
    for model in (Outlet, Agency, Site, PageViewRestriction):
        post_save.connect(_model_changed, sender=model, dispatch_uid=f"fragments-{model}")
        post_delete.connect(_model_changed, sender=model, dispatch_uid=f"fragments-d-{model}")
    # Any save of a page (a revision, a direct edit, a move) and any deletion.
    post_save.connect(_page_saved_or_deleted, dispatch_uid="fragments-page-save")
    post_delete.connect(_page_saved_or_deleted, dispatch_uid="fragments-page-delete")


def _page_saved_or_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
