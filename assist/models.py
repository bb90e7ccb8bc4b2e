"""The assistant's own tables: each agency's house style, and the log of every decision
a staff member took on a suggestion ("Gợi ý AI": accepted or rejected)."""

from django.conf import settings
from django.db import models


class ToneStyle(models.TextChoices):
    # "hòa": the tone on the first vowel of oa/oe/uy (what the demo outlets write:
    # "Thanh Hóa", "văn hóa"); "hoà": on the second.
    FIRST = "first", "hòa, thủy, khỏe (dấu ở nguyên âm thứ nhất)"
    SECOND = "second", "hoà, thuỷ, khoẻ (dấu ở nguyên âm thứ hai)"


class AssistSettings(models.Model):
    """Cài đặt gợi ý AI of one agency."""

    agency = models.OneToOneField(
        "newsroom.Agency",
        verbose_name="cơ quan báo chí",
        on_delete=models.CASCADE,
        related_name="assist_settings",
    )
    tone_style = models.CharField(
        "cách đặt dấu thanh",
        max_length=8,
        choices=ToneStyle.choices,
        default=ToneStyle.FIRST,
        help_text="Quy ước của tòa soạn: gợi ý chính tả sửa các từ đặt dấu khác quy ước này.",
    )

    class Meta:
        verbose_name = "cài đặt gợi ý AI"
        verbose_name_plural = "cài đặt gợi ý AI"

    def __str__(self):
        return f"Gợi ý AI — {self.agency}"


class SuggestionKind(models.TextChoices):
    TAG = "tag", "Chủ đề"
    SECTION = "section", "Chuyên mục"
    PLACE = "place", "Địa bàn"
    RELATED = "related", "Bài liên quan"
    STANDFIRST = "standfirst", "Sapo"
    HEADLINE = "headline", "Tiêu đề"
    SPELLING = "spelling", "Chính tả"


class AssistDecision(models.Model):
    """Quyết định về một gợi ý AI: who, on which story, what kind, which value, accepted
    or not, when. Written by `assist.services.decision_record`, never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "newsroom.Agency", verbose_name="cơ quan báo chí", on_delete=models.CASCADE
    )
    # Null while the story is being written for the first time (no page yet); the
    # section it is written in says where.
    story = models.ForeignKey(
        "newsroom.StoryPage",
        verbose_name="bài",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    section = models.ForeignKey(
        "newsroom.SectionPage",
        verbose_name="chuyên mục",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField("loại gợi ý", max_length=16, choices=SuggestionKind.choices)
    value = models.CharField("gợi ý", max_length=600)
    original = models.CharField("văn bản gốc", max_length=300, blank=True)
    accepted = models.BooleanField("chấp nhận")
    created_at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "quyết định về gợi ý AI"
        verbose_name_plural = "nhật ký gợi ý AI"

    def __str__(self):
        verdict = "chấp nhận" if self.accepted else "bỏ qua"
        return f"{self.get_kind_display()}: {self.value[:60]} ({verdict})"
