from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .agencies import Agency


class Format(models.TextChoices):
    TEXT = "text", "Văn bản"
    PHOTO = "photo", "Ảnh"
    RADIO = "radio", "Phát thanh"
    TV = "tv", "Truyền hình"


class Commission(models.Model):
    """Đặt hàng: a State commission (ordering body, year, topic, quota by format)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="commissions", verbose_name="cơ quan báo chí"
    )
    ordering_body = models.CharField("cơ quan đặt hàng", max_length=200)
    year = models.PositiveIntegerField("năm")
    topic = models.CharField("chủ đề", max_length=300)
    contract_number = models.CharField("số hợp đồng", max_length=60, blank=True)
    budget = models.PositiveBigIntegerField("kinh phí (đồng)", default=0)
    quota_text = models.PositiveIntegerField("chỉ tiêu tin/bài văn bản", default=0)
    quota_photo = models.PositiveIntegerField("chỉ tiêu ảnh/phóng sự ảnh", default=0)
    quota_radio = models.PositiveIntegerField("chỉ tiêu phát thanh", default=0)
    quota_tv = models.PositiveIntegerField("chỉ tiêu truyền hình", default=0)

    class Meta:
        ordering = ["-year", "topic"]
        verbose_name = "đặt hàng của Nhà nước"
        verbose_name_plural = "đặt hàng của Nhà nước"

    def __str__(self):
        return f"{self.topic} ({self.year})"

    def clean(self):
        if self.year and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": "Năm đặt hàng không hợp lệ."})


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", "Dự kiến"
    ASSIGNED = "assigned", "Đã giao"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    FILED = "filed", "Đã nộp bài"
    CANCELLED = "cancelled", "Hủy"


# An assignment is "open" while a reporter may still file a story for it.
OPEN_ASSIGNMENT_STATUSES = (
    AssignmentStatus.PLANNED,
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
)


class Priority(models.IntegerChoices):
    LOW = 1, "Thấp"
    NORMAL = 2, "Bình thường"
    HIGH = 3, "Cao"
    URGENT = 4, "Khẩn"


class Assignment(models.Model):
    """Giao việc: the managing editor gives reporters a brief with formats and a deadline."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="assignments", verbose_name="cơ quan báo chí"
    )
    section = models.ForeignKey(
        "newsroom.SectionPage",
        verbose_name="chuyên mục",
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    title = models.CharField("đề tài", max_length=255)
    brief = models.TextField("yêu cầu", blank=True)
    formats = models.JSONField("loại hình cần", default=list)
    deadline = models.DateTimeField("hạn nộp")
    priority = models.PositiveSmallIntegerField(
        "mức ưu tiên", choices=Priority.choices, default=Priority.NORMAL
    )
    place = models.ForeignKey(
        "newsroom.Place", verbose_name="địa bàn", null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        "trạng thái",
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PLANNED,
    )
    reporters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="phóng viên",
        blank=True,
        related_name="assignments",
    )
    story = models.ForeignKey(
        "newsroom.StoryPage",
        verbose_name="tin bài",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    commission = models.ForeignKey(
        Commission,
        verbose_name="thuộc đặt hàng",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments_created",
        editable=False,
        verbose_name="người giao",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name="giao lúc")

    class Meta:
        ordering = ["deadline", "-priority"]
        verbose_name = "giao việc"
        verbose_name_plural = "giao việc"

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        unknown = set(self.formats or []) - set(Format.values)
        if unknown:
            errors["formats"] = "Loại hình không hợp lệ: " + ", ".join(sorted(map(str, unknown)))
        if self.section_id and self.agency_id:
            if self.section.get_site() is None or not hasattr(self.section.get_site(), "outlet"):
                errors["section"] = "Chuyên mục không thuộc ấn phẩm nào."
            elif self.section.get_site().outlet.agency_id != self.agency_id:
                errors["section"] = "Chuyên mục không thuộc cơ quan của bạn."
        if errors:
            raise ValidationError(errors)

    def get_formats_display(self) -> str:
        labels = dict(Format.choices)
        return ", ".join(labels.get(f, f) for f in self.formats or [])
