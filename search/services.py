"""Writes of the search app: keep the story index in step with what readers may see."""

import collections
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from newsroom.models import Outlet, StoryPage
from paywall.gating import public_text

from . import vocabulary
from .folding import fold, normalize, search_text, tokens
from .models import SearchTerm, StoryIndex, StoryIndexTag

logger = logging.getLogger(__name__)

# Vocabulary words: long enough to be worth correcting, short enough to be a word.
TERM_MIN, TERM_MAX = 2, 40


def _live_story(page_id: int) -> StoryPage | None:
    """The story as readers see it now, or None if it must not be in the index (draft,
    unpublished, expired, deleted, or behind a view restriction)."""
    return (
        StoryPage.objects.live()
        .public()
        .filter(pk=page_id)
        .select_related("place")
        .prefetch_related("tags")
        .first()
    )


def story_index_document(*, story: StoryPage) -> dict:
    """Field values of a story's index row. Text is NFC-normalised; the body is its public
    part only (`paywall.gating.public_text`), so paid text never reaches the index."""
    site_id, _root_url, path = story.get_url_parts() or (None, "", story.url_path)
    outlet = Outlet.objects.select_related("agency").filter(site_id=site_id).first()
    section = story.get_parent()
    published = story.first_published_at or story.last_published_at or timezone.now()
    tags = [(t.slug, normalize(t.name)) for t in story.tags.all()]
    headline = normalize(story.title)
    standfirst = normalize(story.standfirst)
    body = normalize(public_text(story))
    place_name = normalize(story.place.name) if story.place_id else ""
    keywords = " ".join([name for _, name in tags] + ([place_name] if place_name else []))
    exact = search_text(headline, standfirst, keywords, body)
    return {
        "site_id": site_id or 0,
        "outlet_id": outlet.pk if outlet else None,
        "outlet_name": outlet.name if outlet else "",
        "agency_id": outlet.agency_id if outlet else None,
        "section_id": section.pk if section else None,
        "section_title": section.title if section else "",
        "url": path,
        "headline": headline[:255],
        "standfirst": standfirst,
        "body": body,
        "primary_format": story.primary_format,
        "access_level": story.access_level,
        "published_at": published,
        "year": timezone.localtime(published).year,
        "place_id": story.place_id,
        "place_name": place_name,
        "keywords": keywords,
        "tag_slugs": " ".join(slug for slug, _ in tags),
        "search_exact": exact,
        "search_folded": fold(exact),
        "_tags": tags,
    }


@transaction.atomic
def story_index_update(*, page_id: int) -> StoryIndex | None:
    """Index a story's live, public version, or drop it from the index when it has none.
    Idempotent: safe to run twice or late."""
    old = StoryIndex.objects.filter(page_id=page_id).first()
    row = _row_write(page_id=page_id)
    if row is None:
        story_index_remove(page_id=page_id)
        return None
    before = set(_words(old)) if old else set()
    after = set(_words(row))
    _terms_count(added=after - before, removed=before - after)
    if _elasticsearch_enabled():
        from .backends import elastic

        transaction.on_commit(lambda: elastic.document_save(row_id=row.pk))
    return row


@transaction.atomic
def _row_write(*, page_id: int) -> StoryIndex | None:
    """The story's index row and tags in the database only; None if it is not live."""
    story = _live_story(page_id)
    if story is None:
        return None
    doc = story_index_document(story=story)
    tags = doc.pop("_tags")
    row, _ = StoryIndex.objects.update_or_create(page_id=page_id, defaults=doc)
    StoryIndexTag.objects.filter(story=row).delete()
    StoryIndexTag.objects.bulk_create(
        [StoryIndexTag(story=row, slug=slug, name=name) for slug, name in tags]
    )
    return row


@transaction.atomic
def story_index_remove(*, page_id: int) -> bool:
    old = StoryIndex.objects.filter(page_id=page_id).first()
    deleted = 0
    if old is not None:
        _terms_count(added=set(), removed=set(_words(old)))
        deleted, _ = StoryIndex.objects.filter(page_id=page_id).delete()
    if _elasticsearch_enabled():
        from .backends import elastic

        transaction.on_commit(lambda: elastic.document_delete(page_id=page_id))
    return bool(deleted)


def search_index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index from every live public story; rows of stories that are gone are
    dropped. Returns the number of stories indexed. The vocabulary and Elasticsearch are
    rebuilt once at the end, not story by story as `story_index_update` does."""
    ids = list(StoryPage.objects.live().public().order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    indexed = []
    for done, page_id in enumerate(ids, start=1):
        if _row_write(page_id=page_id):
            indexed.append(page_id)
        if progress:
            progress(done, total)
    StoryIndex.objects.exclude(page_id__in=indexed).delete()
    search_terms_rebuild()
    if _elasticsearch_enabled():
        from .backends import elastic

        elastic.index_rebuild()
    return total


def search_terms_rebuild() -> int:
    """Recount the vocabulary from the index (drops words of stories no longer there):
    each word with the number of stories that have it."""
    counts: collections.Counter = collections.Counter()
    for row in StoryIndex.objects.only("headline", "standfirst", "keywords", "body").iterator():
        counts.update(set(_words(row)))
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w, folded=fold(w), frequency=n) for w, n in counts.items()],
            batch_size=1000,
        )
        vocabulary.changed()
    return len(counts)


def _words(row) -> list[str]:
    return [
        w
        for w in tokens(f"{row.headline} {row.standfirst} {row.keywords} {row.body}")
        if TERM_MIN <= len(w) <= TERM_MAX and not w.isdigit()
    ]


def _terms_count(*, added: set[str], removed: set[str]) -> None:
    """Keep the vocabulary current: a word's frequency is the number of indexed stories
    that have it; a word no story has any more leaves the vocabulary."""
    if not added and not removed:
        return
    if removed:
        SearchTerm.objects.filter(word__in=removed).update(frequency=F("frequency") - 1)
        SearchTerm.objects.filter(word__in=removed, frequency__lte=0).delete()
    if added:
        known = set(SearchTerm.objects.filter(word__in=added).values_list("word", flat=True))
        SearchTerm.objects.filter(word__in=known).update(frequency=F("frequency") + 1)
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w, folded=fold(w), frequency=1) for w in added - known],
            ignore_conflicts=True,
        )
    vocabulary.changed()


def _elasticsearch_enabled() -> bool:
    return getattr(settings, "SEARCH_BACKEND", "database") == "elasticsearch"
