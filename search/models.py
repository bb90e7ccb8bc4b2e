"""The story index: one row per published story, holding only what any reader may see."""

from django.db import models


class StoryIndex(models.Model):
    """Chỉ mục tìm kiếm: a published story as search sees it. Built from the live page by
    `search.services.story_index_update`; never holds a draft or the paid part of a body
    (`paywall.gating.public_text`). On PostgreSQL migration 0002 adds two generated
    tsvector columns (folded and exact) with GIN indexes and a trigram index."""

    # Plain integer, not a foreign key: the index follows the newsroom through signals and
    # the benchmark loads rows without pages. Deleting a page deletes its row (post_delete).
    page_id = models.PositiveIntegerField("trang", unique=True)
    site_id = models.PositiveIntegerField(db_index=True)
    outlet_id = models.PositiveIntegerField(null=True, db_index=True)
    outlet_name = models.CharField(max_length=200, blank=True)
    agency_id = models.PositiveIntegerField(null=True, db_index=True)
    section_id = models.PositiveIntegerField(null=True)
    section_title = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=500)
    headline = models.CharField(max_length=255)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Public part only (paywall.gating).")
    primary_format = models.CharField(max_length=16)
    access_level = models.CharField(max_length=10)
    published_at = models.DateTimeField(db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    place_id = models.PositiveIntegerField(null=True)
    place_name = models.CharField(max_length=120, blank=True)
    keywords = models.TextField(blank=True, help_text="Tag and place names, searched too.")
    # Lower-case words with diacritics and their folded twin, space-delimited at both ends:
    # whole-word matching and ranking on SQLite; trigram suggestions on PostgreSQL.
    search_exact = models.TextField(blank=True)
    search_folded = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "chỉ mục tin bài"
        verbose_name_plural = "chỉ mục tin bài"
        indexes = [models.Index(fields=["outlet_id", "published_at"])]

    def __str__(self):
        return self.headline


class StoryIndexTag(models.Model):
    """A story's tag in the index (one row per tag): filter and facet without JSON."""

    story = models.ForeignKey(StoryIndex, on_delete=models.CASCADE, related_name="tag_rows")
    slug = models.CharField(max_length=100, db_index=True)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "slug"], name="one_tag_per_story")]

    def __str__(self):
        return self.name


class SearchTerm(models.Model):
    """A word seen in the index, with its folded form: the vocabulary "did you mean"
    corrects misspelt query words against (pg_trgm on PostgreSQL, difflib on SQLite)."""

    word = models.CharField(max_length=60, unique=True)
    folded = models.CharField(max_length=60, db_index=True)
    frequency = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.word
