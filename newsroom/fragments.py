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
import threading

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
        # First use, or Redis lost it: any number never used before will do.
        cache.add(GENERATION_KEY, 1, timeout=None)
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
            cache.add(GENERATION_KEY, 2, timeout=None)
    except Exception:  # the cache down must not fail a publish; fragments expire anyway
        logger.exception("Could not bump the fragment generation")


def bump() -> None:
    """Retires every fragment: at once (this process's next render is fresh even inside
    the transaction) and again after the commit, since a reader rendering between the two
    may have stored the old content under the first new generation."""
    _incr()
    transaction.on_commit(_incr, robust=True)


def start_new_generation() -> None:
    """A generation never used before (tests: no fragment of an earlier test's rolled-back
    content is found by the next one)."""
    import secrets

    cache.set(GENERATION_KEY, secrets.randbelow(2**52) + 2, timeout=None)
    forget_request_generation()


def outlet_for_site(site):
    """The outlet (with its agency) of a site, from the cache for the current generation:
    the masthead, title and footer of every reader page need it."""
    from .models import Outlet

    if site is None:
        return None
    outlets = getattr(_local, "outlets", None)
    if outlets is None:
        outlets = _local.outlets = {}
    key = f"hoitu:fragments:{generation()}:outlet:{site.pk}"
    if key in outlets:
        return outlets[key]
    found = cache.get(key)
    if found is None:
        outlet = Outlet.objects.select_related("agency").filter(site=site).first()
        found = (outlet,)
        cache.set(key, found, FRAGMENT_SECONDS)
    outlets[key] = found[0]
    return found[0]


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
    from wagtail.models import Site

    from .models import Agency, Outlet

    request_started.connect(forget_request_generation, dispatch_uid="fragments-start")
    request_finished.connect(forget_request_generation, dispatch_uid="fragments-finish")
    for model in (Outlet, Agency, Site):
        post_save.connect(_model_changed, sender=model, dispatch_uid=f"fragments-{model}")
        post_delete.connect(_model_changed, sender=model, dispatch_uid=f"fragments-d-{model}")
    # Any save of a page (a revision, a direct edit, a move) and any deletion.
    post_save.connect(_page_saved_or_deleted, dispatch_uid="fragments-page-save")
    post_delete.connect(_page_saved_or_deleted, dispatch_uid="fragments-page-delete")


def _page_saved_or_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump()
