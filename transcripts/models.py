"""Transcripts of radio and TV cuts (docs/transcripts.md): what a speech-to-text provider
heard, segment by segment with its times, and what the staff corrected."""

from django.conf import settings
from django.db import models


class TranscriptStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang nhận dạng"
    DONE = "done", "Đã có bản ghi"
    FAILED = "failed", "Lỗi"
    NOT_CONFIGURED = "not_configured", "Chưa cấu hình"
    PAID_REFUSED = "paid_refused", "Không gửi (nội dung thu phí)"


class Transcript(models.Model):
    """One cut's transcript. The provider's own text stays in each segment's
    `original_text`; `text` is what the staff corrected (or the provider's until then)."""

    asset = models.OneToOneField(
        settings.WAGTAILMEDIA["MEDIA_MODEL"],
        verbose_name="âm thanh / video",
        on_delete=models.CASCADE,
        related_name="transcript",
    )
    status = models.CharField(
        "trạng thái",
        max_length=16,
        choices=TranscriptStatus.choices,
        default=TranscriptStatus.PENDING,
    )
    provider = models.CharField("nhà cung cấp", max_length=16, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transcribed_at = models.DateTimeField("nhận dạng lúc", null=True, blank=True)
    corrected = models.BooleanField("đã hiệu đính", default=False)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người hiệu đính",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField("hiệu đính lúc", null=True, blank=True)
    # Lower-case, diacritic-free corrected text (search.folding.fold), for the staff search.
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    class Meta:
        verbose_name = "bản ghi lời"
        verbose_name_plural = "bản ghi lời"
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Bản ghi lời – {self.asset}"

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments.all() if s.text)


class Segment(models.Model):
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="segments", verbose_name="bản ghi"
    )
    position = models.PositiveIntegerField("thứ tự")
    start = models.FloatField("bắt đầu (giây)")
    end = models.FloatField("kết thúc (giây)")
    text = models.TextField("lời", blank=True)
    original_text = models.TextField("lời do máy nhận dạng", blank=True, editable=False)

    class Meta:
        verbose_name = "đoạn lời"
        verbose_name_plural = "đoạn lời"
        ordering = ["transcript", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "position"], name="one_segment_per_position"
            )
        ]

    def __str__(self):
        return f"{self.start:.1f}–{self.end:.1f}: {self.text[:40]}"

    @property
    def edited(self) -> bool:
        return self.text != self.original_text
