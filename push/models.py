"""Web push (RFC 8030/8291/8292) of breaking news: the readers' browser subscriptions per
outlet, the alerts an editor-in-chief sends, and one delivery row per (alert,
subscription), which is what makes a send idempotent: no reader gets an alert twice."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Subscription(models.Model):
    """One browser's push subscription to one outlet (Wagtail Site). Deleted when the push
    service answers 404 or 410 (the subscription expired or the reader revoked it)."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    endpoint = models.URLField("địa chỉ dịch vụ đẩy", max_length=1000)
    p256dh = models.CharField("khóa công khai của trình duyệt (p256dh)", max_length=100)
    auth = models.CharField("khóa xác thực (auth)", max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a deleted reader account takes its subscriptions along
        related_name="+",
        verbose_name="tài khoản độc giả",
    )
    created_at = models.DateTimeField("đăng ký lúc", default=timezone.now)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now)
    last_sent_at = models.DateTimeField("gửi được lần cuối lúc", null=True, blank=True)

    class Meta:
        verbose_name = "đăng ký nhận tin nóng"
        verbose_name_plural = "đăng ký nhận tin nóng"
        constraints = [
            models.UniqueConstraint(fields=["site", "endpoint"], name="one_push_subscription")
        ]

    def __str__(self):
        return f"{self.site_id}: {self.endpoint[:60]}"

    def info(self) -> dict:
        """What pywebpush expects (the browser's PushSubscription.toJSON())."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class AlertStatus(models.TextChoices):
    QUEUED = "queued", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi xong"


class Alert(models.Model):
    """A breaking-news alert for one published story, to the subscribers of its outlet."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    story = models.ForeignKey(
        "newsroom.StoryPage", on_delete=models.PROTECT, related_name="+", verbose_name="bài"
    )
    title = models.CharField("tiêu đề thông báo", max_length=80)
    body = models.CharField("nội dung ngắn", max_length=180)
    url = models.URLField("địa chỉ bài", max_length=500)
    status = models.CharField(
        "trạng thái", max_length=8, choices=AlertStatus.choices, default=AlertStatus.QUEUED
    )
    # The confirmation form's one-time key: pressing "Xác nhận gửi" twice makes one alert.
    nonce = models.UUIDField("mã xác nhận", unique=True, default=uuid.uuid4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    started_at = models.DateTimeField("bắt đầu gửi lúc", null=True, blank=True)
    finished_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tin nóng"
        verbose_name_plural = "tin nóng"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Dịch vụ đẩy đã nhận"
    FAILED = "failed", "Lỗi"
    EXPIRED = "expired", "Đăng ký hết hạn"
    SKIPPED = "skipped", "Bỏ qua"


class Delivery(models.Model):
    """One alert to one subscription. Unique per pair: however often a task runs or is
    redelivered, a copy is claimed (pending → sending) by one worker only. The row stays
    when its subscription is deleted (expired), so the counts stay true."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name="tin nóng"
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name="đăng ký",
    )
    status = models.CharField(
        "trạng thái", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    claimed_at = models.DateTimeField("nhận gửi lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    delivered_at = models.DateTimeField("trình duyệt nhận lúc", null=True, blank=True)
    clicked_at = models.DateTimeField("bấm lúc", null=True, blank=True)
    error = models.CharField("lỗi", max_length=300, blank=True)

    class Meta:
        verbose_name = "lượt gửi tin nóng"
        verbose_name_plural = "lượt gửi tin nóng"
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscription"], name="one_push_delivery_per_subscription"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.alert_id} → {self.subscription_id}"
