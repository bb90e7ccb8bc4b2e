"""E-mail newsletters of an outlet: its lists (the daily digest and one per section),
the readers who subscribed by e-mail (double opt-in), the editions editors prepare and
one delivery row per (edition, subscriber), which is what makes a send idempotent."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable


class Newsletter(models.Model):
    """One list of an outlet: the daily digest (no section) or a section's."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    section = models.ForeignKey(
        "newsroom.SectionPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="chuyên mục (để trống: điểm tin hằng ngày)",
    )
    title = models.CharField("tên bản tin", max_length=120)
    description = models.CharField("mô tả", max_length=300, blank=True)
    is_active = models.BooleanField("đang phát hành", default=True)
    send_time = models.TimeField(
        "giờ gửi hằng ngày",
        default="18:00",
        help_text="Số phát hành của ngày được soạn sẵn và lên lịch gửi vào giờ này.",
    )
    auto_schedule = models.BooleanField(
        "tự lên lịch",
        default=True,
        help_text="Bỏ chọn: số phát hành chỉ là bản nháp, biên tập viên tự lên lịch hoặc gửi.",
    )
    sort_order = models.PositiveSmallIntegerField("thứ tự", default=0)

    panels = [
        FieldPanel("site"),
        FieldPanel("section"),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        FieldPanel("send_time"),
        FieldPanel("auto_schedule"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = "bản tin"
        verbose_name_plural = "danh sách bản tin"
        ordering = ["site", "sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(section__isnull=True),
                name="one_daily_digest_per_site",
            ),
            models.UniqueConstraint(fields=["site", "section"], name="one_newsletter_per_section"),
        ]

    def __str__(self):
        return f"{self.title} ({self.site.site_name or self.site.hostname})"


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Chờ xác nhận"
    CONFIRMED = "confirmed", "Đang nhận"
    UNSUBSCRIBED = "unsubscribed", "Đã hủy"
    BOUNCED = "bounced", "Địa chỉ hỏng (thư bị trả lại)"


def new_confirm_token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """A reader's address on one outlet. `newsletters` are the confirmed lists;
    `requested` the lists asked for and not yet confirmed (applied by the link)."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    email = models.EmailField("email", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a deleted reader account takes its subscriptions along
        related_name="newsletter_subscriptions",
        verbose_name="tài khoản độc giả",
    )
    status = models.CharField(
        "trạng thái",
        max_length=12,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    newsletters = models.ManyToManyField(
        Newsletter, blank=True, related_name="subscribers", verbose_name="đang nhận"
    )
    requested = models.JSONField("đăng ký chờ xác nhận", default=list, blank=True)
    confirm_token = models.CharField(
        "mã xác nhận", max_length=64, unique=True, default=new_confirm_token
    )
    confirm_sent_at = models.DateTimeField("gửi thư xác nhận lúc", null=True, blank=True)
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    bounce_count = models.PositiveSmallIntegerField("số lần thư bị trả lại", default=0)
    last_bounce = models.CharField("lần trả lại gần nhất", max_length=300, blank=True)
    created_at = models.DateTimeField("đăng ký lúc", default=timezone.now)

    class Meta:
        verbose_name = "người nhận bản tin"
        verbose_name_plural = "người nhận bản tin"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "email"], name="one_subscriber_per_site_email")
        ]

    def __str__(self):
        return self.email


class EditionStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    SCHEDULED = "scheduled", "Đã lên lịch"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    CANCELLED = "cancelled", "Đã hủy"


class Edition(ClusterableModel):
    """One issue of a newsletter. Editors edit its subject, intro and the order of its
    stories, then schedule it or send it now; the stories' text is decided per reader at
    sending time (free or subscriber edition, through the paywall's gating rule)."""

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="editions", verbose_name="bản tin"
    )
    date = models.DateField("ngày")
    subject = models.CharField("tiêu đề thư", max_length=200)
    intro = models.TextField("lời mở đầu", blank=True, max_length=1000)
    status = models.CharField(
        "trạng thái", max_length=10, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    scheduled_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    started_at = models.DateTimeField("bắt đầu gửi lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)

    panels = [
        FieldPanel("subject"),
        FieldPanel("intro"),
        FieldPanel(
            "scheduled_at",
            help_text="Để trống rồi bấm “Gửi ngay” ở danh sách, hoặc chọn giờ để lên lịch.",
        ),
        InlinePanel("items", label="bài trong số này", heading="Bài (kéo để đổi thứ tự)"),
    ]

    class Meta:
        verbose_name = "số bản tin"
        verbose_name_plural = "số bản tin"
        ordering = ["-date", "newsletter"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "date"], name="one_edition_per_day")
        ]

    def __str__(self):
        return f"{self.newsletter.title} {self.date:%d/%m/%Y}"

    @property
    def editable(self) -> bool:
        return self.status in (EditionStatus.DRAFT, EditionStatus.SCHEDULED)


class EditionItem(Orderable):
    edition = ParentalKey(
        Edition, on_delete=models.CASCADE, related_name="items", verbose_name="số bản tin"
    )
    story = models.ForeignKey(
        "newsroom.StoryPage", on_delete=models.CASCADE, related_name="+", verbose_name="bài"
    )

    panels = [PageChooserPanel("story", page_type="newsroom.StoryPage")]

    class Meta(Orderable.Meta):
        verbose_name = "bài trong bản tin"
        verbose_name_plural = "bài trong bản tin"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    BOUNCED = "bounced", "Bị trả lại"
    FAILED = "failed", "Lỗi"
    SKIPPED = "skipped", "Bỏ qua"


class Delivery(models.Model):
    """One edition to one subscriber. Unique per pair: however often a send task runs or
    is redelivered, a reader's copy is claimed (pending → sending) by one worker only."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries", verbose_name="số bản tin"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries", verbose_name="người nhận"
    )
    status = models.CharField(
        "trạng thái", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    subscriber_edition = models.BooleanField("bản cho thuê bao", default=False)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    claimed_at = models.DateTimeField("nhận gửi lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    error = models.CharField("lỗi", max_length=300, blank=True)
    opened_at = models.DateTimeField("mở lần đầu lúc", null=True, blank=True)
    opens = models.PositiveIntegerField("số lần mở", default=0)
    clicked_at = models.DateTimeField("bấm lần đầu lúc", null=True, blank=True)
    clicks = models.PositiveIntegerField("số lần bấm", default=0)

    class Meta:
        verbose_name = "lượt gửi bản tin"
        verbose_name_plural = "lượt gửi bản tin"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="one_delivery_per_edition_subscriber"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.edition} → {self.subscriber}"
