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
    site_id = models.PositiveIntegerField(db_index=True, verbose_name="mã trang web")
    outlet_id = models.PositiveIntegerField(null=True, db_index=True, verbose_name="mã ấn phẩm")
    outlet_name = models.CharField(max_length=200, blank=True, verbose_name="tên ấn phẩm")
    agency_id = models.PositiveIntegerField(
        null=True, db_index=True, verbose_name="mã cơ quan báo chí"
    )
    section_id = models.PositiveIntegerField(null=True, verbose_name="mã chuyên mục")
    section_title = models.CharField(max_length=255, blank=True, verbose_name="chuyên mục")
    url = models.CharField(max_length=500)
    headline = models.CharField(max_length=255, verbose_name="tiêu đề")
    standfirst = models.TextField(blank=True, verbose_name="sapo")
    body = models.TextField(
        blank=True, help_text="Public part only (paywall.gating).", verbose_name="nội dung"
    )
    primary_format = models.CharField(max_length=16, verbose_name="loại hình chính")
    access_level = models.CharField(max_length=10, verbose_name="quyền đọc")
    published_at = models.DateTimeField(db_index=True, verbose_name="đăng lúc")
    year = models.PositiveSmallIntegerField(db_index=True, verbose_name="năm")
    place_id = models.PositiveIntegerField(null=True, verbose_name="mã địa bàn")
    place_name = models.CharField(max_length=120, blank=True, verbose_name="địa bàn")
    keywords = models.TextField(
        blank=True, help_text="Tag and place names, searched too.", verbose_name="từ khóa"
    )
    # The story's tag slugs, space-separated: the tag facet is counted in the same pass
    # over the matching rows as the other facets (PostgreSQL), not through StoryIndexTag.
    tag_slugs = models.TextField(blank=True, default="", verbose_name="đường dẫn các thẻ")
    # Lower-case words with diacritics and their folded twin, space-delimited at both ends:
    # whole-word matching and ranking on SQLite; trigram suggestions on PostgreSQL.
    search_exact = models.TextField(blank=True, verbose_name="chỉ mục tìm kiếm có dấu")
    search_folded = models.TextField(blank=True, verbose_name="chỉ mục tìm kiếm không dấu")
    indexed_at = models.DateTimeField(auto_now=True, verbose_name="lập chỉ mục lúc")

    class Meta:
        verbose_name = "chỉ mục tin bài"
        verbose_name_plural = "chỉ mục tin bài"
        indexes = [models.Index(fields=["outlet_id", "published_at"])]

    def __str__(self):
        return self.headline


class StoryIndexTag(models.Model):
    """A story's tag in the index (one row per tag): filter and facet without JSON."""

    story = models.ForeignKey(
        StoryIndex, on_delete=models.CASCADE, related_name="tag_rows", verbose_name="bài"
    )
    slug = models.CharField(max_length=100, db_index=True, verbose_name="đường dẫn")
    name = models.CharField(max_length=100, verbose_name="tên thẻ")

    class Meta:
        verbose_name = "thẻ trong chỉ mục"
        verbose_name_plural = "thẻ trong chỉ mục"
        constraints = [models.UniqueConstraint(fields=["story", "slug"], name="one_tag_per_story")]

    def __str__(self):
        return self.name


class SearchTerm(models.Model):
    """A word seen in the index, with its folded form: the vocabulary "did you mean"
    corrects misspelt query words against (pg_trgm on PostgreSQL, difflib on SQLite)."""

    word = models.CharField(max_length=60, unique=True, verbose_name="từ")
    folded = models.CharField(max_length=60, db_index=True, verbose_name="từ không dấu")
    frequency = models.PositiveIntegerField(default=1, verbose_name="tần suất")

    class Meta:
        verbose_name = "từ tìm kiếm"
        verbose_name_plural = "từ tìm kiếm"

    def __str__(self):
        return self.word
