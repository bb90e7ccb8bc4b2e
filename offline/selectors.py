"""What the service worker is told to keep for a page (views.offline_list)."""

from __future__ import annotations

import logging

from django.conf import settings
from wagtail.models import Page, Site

from newsroom.models import HomePage, SectionPage, StoryPage
from paywall.access import AccessLevel
from paywall.services import story_access

logger = logging.getLogger(__name__)

# The phone-size lead image, as the story page's srcset names it (story_page.html).
PHONE_IMAGE = "fill-400x225|format-webp"
# A paid story the reader gets in full without the fetch costing anything: fetching it
# in the background never charges the meter (metered stories read for the first time
# are left out).
PREFETCH_REASONS = {"free", "staff", "subscriber", "institution", "gift", "metered_again"}


def page_for_path(site: Site, path: str) -> Page | None:
    """The live page of `site` at `path` ("/thoi-su/"), or None."""
    if not path.startswith("/") or "//" in path or len(path) > 500:
        return None
    if not path.endswith("/"):
        path += "/"
    url_path = site.root_page.url_path + path.lstrip("/")
    page = Page.objects.live().public().filter(url_path=url_path).first()
    return page.specific if page is not None else None


def list_stories(page) -> list[StoryPage]:
    """The stories a home or section page shows first, newest first."""
    if isinstance(page, HomePage):
        stories = page.latest_stories()
        for _section, items in page.section_lists():
            stories += [s for s in items if s not in stories]
        return stories[: settings.HOITU_OFFLINE_HOME_STORIES]
    if isinstance(page, SectionPage):
        return list(
            StoryPage.objects.live()
            .public()
            .child_of(page)
            .select_related("lead_image")
            .order_by("-first_published_at")[: settings.HOITU_OFFLINE_SECTION_STORIES]
        )
    if isinstance(page, StoryPage):
        return [page]
    return []


def phone_image_url(story) -> str:
    image = story.lead_image
    if image is None:
        return ""
    try:
        return image.get_rendition(PHONE_IMAGE).url
    except (OSError, ValueError):  # the original is gone: the story goes without
        logger.warning("No phone rendition for image %s of story %s", image.pk, story.pk)
        return ""


def story_entry(request, story, *, site) -> dict | None:
    """How the worker may keep `story` for this reader, or None when it may not."""
    store = "public"
    if story.access_level != AccessLevel.FREE:
        if not request.user.is_authenticated:
            return None
        decision = story_access(request, story, count=False)
        if not decision.full or decision.reason not in PREFETCH_REASONS:
            return None
        store = "private"
    return {
        "id": story.pk,
        "url": story.get_url(request=request, current_site=site),
        "title": story.title,
        "section": story.get_parent().title,
        "published": story.first_published_at.isoformat() if story.first_published_at else "",
        "image": phone_image_url(story),
        "audio": bool(story.audio_id),
        "store": store,
    }


def offline_list(request, *, site: Site, page) -> dict:
    """The page's kind and the stories the worker keeps for it."""
    entries = [story_entry(request, s, site=site) for s in list_stories(page)]
    kind = "story" if isinstance(page, StoryPage) else "list"
    return {"kind": kind, "title": page.title, "stories": [e for e in entries if e]}
