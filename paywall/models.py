"""Paywall tables: reader profiles, the meter, plans, subscriptions, orders, promo codes,
gift links, institutional access, counters and the append-only revenue ledger.

Stories are referenced by primary key only (`story_id`), never by foreign key, so the
paywall stays independent of the app that owns the story model."""

import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class Gateway(models.TextChoices):
    VNPAY = "vnpay", "VNPay"
    MOMO = "momo", "Ví MoMo"
    ZALOPAY = "zalopay", "ZaloPay"
    MANUAL = "manual", "Thủ công (quản trị)"


@register_setting(icon="lock")
class PaywallSettings(BaseSiteSetting):
    """Per-outlet meter and gift-link quotas."""

    meter_limit = models.PositiveSmallIntegerField(
        "số bài giới hạn được đọc miễn phí mỗi tháng",
        default=3,
        help_text="Áp dụng cho bài có quyền đọc “Giới hạn số bài/tháng”.",
    )
    gift_links_per_month = models.PositiveSmallIntegerField(
        "số liên kết tặng bài mỗi tháng của một thuê bao", default=5
    )
    gift_link_days = models.PositiveSmallIntegerField("liên kết tặng có hiệu lực (ngày)", default=7)
    gift_link_uses = models.PositiveSmallIntegerField(
        "số người đọc được bằng một liên kết tặng", default=3
    )

    class Meta:
        verbose_name = "thiết lập thu phí"


class ReaderProfile(models.Model):
    """Độc giả: a reader's account data beyond Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_profile"
    )
    email_verified_at = models.DateTimeField("xác nhận email lúc", null=True, blank=True)
    # National commune/ward code (vietnam-provinces); the analytics app places readers by it.
    commune_code = models.PositiveIntegerField("xã/phường cư trú (mã)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ độc giả"
        verbose_name_plural = "hồ sơ độc giả"

    def __str__(self):
        return self.user.get_username()

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class MeterEntry(models.Model):
    """One metered story read by a logged-in reader in one calendar month (local time)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # "2026-11"
    story_id = models.PositiveIntegerField()
    # A story unlocked by a gift link is remembered without charging the meter.
    gifted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site", "month", "story_id"], name="paywall_meter_once"
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.site_id}/{self.month}/{self.story_id}"


class Plan(models.Model):
    """Gói cước of one outlet."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("tên gói", max_length=100)
    slug = models.SlugField(max_length=50)
    duration_days = models.PositiveIntegerField("thời hạn (ngày)")
    price = models.PositiveIntegerField("giá (đồng)")
    description = models.CharField("mô tả", max_length=300, blank=True)
    is_active = models.BooleanField("đang bán", default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "gói cước"
        verbose_name_plural = "gói cước"
        ordering = ["site_id", "sort_order", "price"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="paywall_plan_slug"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="paywall_plan_price"),
        ]

    def __str__(self):
        return f"{self.name} — {self.price:,} đ".replace(",", ".")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    ACTIVE = "active", "Đang hiệu lực"
    EXPIRED = "expired", "Hết hạn"
    CANCELLED = "cancelled", "Đã hủy"


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thuê bao"
        verbose_name_plural = "thuê bao"
        indexes = [models.Index(fields=["user", "site", "status"])]

    def __str__(self):
        return f"{self.user} · {self.plan.name} · {self.get_status_display()}"

    @property
    def is_current(self) -> bool:
        return (
            self.status == SubscriptionStatus.ACTIVE
            and self.ends_at is not None
            and self.starts_at <= timezone.now() < self.ends_at
        )


class PromoKind(models.TextChoices):
    PERCENT = "percent", "Giảm theo %"
    AMOUNT = "amount", "Giảm số tiền"


class PromoCode(models.Model):
    code = models.CharField("mã", max_length=40, unique=True)
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=PromoKind.choices)
    value = models.PositiveIntegerField("mức giảm (% hoặc đồng)")
    valid_from = models.DateTimeField("hiệu lực từ")
    valid_until = models.DateTimeField("hiệu lực đến")
    max_uses = models.PositiveIntegerField("số lần dùng tối đa")
    used_count = models.PositiveIntegerField("đã dùng", default=0)

    class Meta:
        verbose_name = "mã khuyến mại"
        verbose_name_plural = "mã khuyến mại"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_count__lte=models.F("max_uses")),
                name="paywall_promo_within_limit",
            )
        ]

    def __str__(self):
        return self.code

    def clean(self):
        if self.kind == PromoKind.PERCENT and not 0 < self.value <= 100:
            raise ValidationError({"value": "Mức giảm theo % phải từ 1 đến 100."})

    def discounted(self, price: int) -> int:
        if self.kind == PromoKind.PERCENT:
            off = price * self.value // 100
        else:
            off = self.value
        return max(price - off, 0)


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    CANCELLED = "cancelled", "Đã hủy"
    FAILED = "failed", "Thất bại"


def new_order_reference() -> str:
    # Gateways accept [0-9a-zA-Z]; no separators keeps the same reference valid everywhere.
    return "HT" + timezone.now().strftime("%y%m%d") + secrets.token_hex(5).upper()


class Order(models.Model):
    """One attempt to pay for a plan through one gateway."""

    reference = models.CharField(max_length=40, unique=True, default=new_order_reference)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="orders")
    subscription = models.OneToOneField(
        Subscription, on_delete=models.PROTECT, related_name="order", null=True, blank=True
    )
    promo = models.ForeignKey(PromoCode, on_delete=models.PROTECT, null=True, blank=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    list_price = models.PositiveIntegerField()
    amount = models.PositiveIntegerField("số tiền (đồng)")
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    gateway_ref = models.CharField(max_length=64, blank=True)
    # The gateway's own app_trans_id for ZaloPay (yymmdd_ prefix).
    gateway_order_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Reconciliation: how often, and when last, the gateway was asked about this order
    # while it was pending; set when the answer (not a callback) settled it.
    checks = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    settled_by_reconciliation = models.BooleanField(
        "xác nhận qua đối soát", default=False, db_index=True
    )

    class Meta:
        verbose_name = "đơn thanh toán"
        verbose_name_plural = "đơn thanh toán"
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Chờ cổng thanh toán trả lời"
    SUCCEEDED = "succeeded", "Đã hoàn"
    FAILED = "failed", "Bị từ chối"


class Refund(models.Model):
    """Hoàn tiền: one refund of (part of) a paid order through its gateway's refund API.
    `request_id` is sent to the gateway as the refund's own id (MoMo orderId, ZaloPay
    m_refund_id, VNPay vnp_RequestId): a double submission or a retry reuses it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField("số tiền hoàn (đồng)")
    reason = models.CharField("lý do", max_length=200)
    status = models.CharField(
        "trạng thái", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    request_id = models.CharField(max_length=64, unique=True)
    gateway_ref = models.CharField("mã hoàn tiền của cổng", max_length=64, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "hoàn tiền"
        verbose_name_plural = "hoàn tiền"
        ordering = ["-created_at"]
        permissions = [("refund_order", "Hoàn tiền đơn thanh toán qua cổng thanh toán")]

    def __str__(self):
        return f"Hoàn {self.amount} đ — {self.order.reference}"


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", "Thanh toán"
    REFUND = "refund", "Hoàn tiền"
    CANCELLATION = "cancellation", "Hủy thuê bao"


class AppendOnlyError(RuntimeError):
    pass


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The revenue ledger is append-only.")

    def delete(self):
        raise AppendOnlyError("The revenue ledger is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The revenue ledger is append-only.")


class LedgerEntry(models.Model):
    """Sổ doanh thu: append-only. A correction is a new entry (refund), never an edit."""

    kind = models.CharField(max_length=15, choices=LedgerKind.choices)
    amount = models.BigIntegerField("số tiền (đồng)")  # refunds are negative
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    gateway_ref = models.CharField(max_length=64, blank=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, related_name="+")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = "bút toán doanh thu"
        verbose_name_plural = "sổ doanh thu"
        ordering = ["-created_at"]
        constraints = [
            # One payment entry per order: a replayed IPN can never book twice.
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(kind="payment"),
                name="paywall_ledger_one_payment_per_order",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} đ ({self.gateway} {self.gateway_ref})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The revenue ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The revenue ledger is append-only.")


class GiftLink(models.Model):
    """A subscriber's shared story: a signed link that expires and has limited uses."""

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    story_id = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveSmallIntegerField()
    uses = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="paywall_gift_within"
            )
        ]

    def __str__(self):
        return f"gift {self.pk} story {self.story_id}"


class Institution(models.Model):
    """Thuê bao tổ chức: a school, library or commune cultural house."""

    name = models.CharField("tên đơn vị", max_length=200)
    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Để trống: mọi trang báo.",
    )
    ip_ranges = models.TextField(
        "dải IP (CIDR, mỗi dòng một dải)", blank=True, help_text="Ví dụ: 203.113.0.0/24"
    )
    email_domain = models.CharField(
        "tên miền email", max_length=100, blank=True, help_text="Ví dụ: thpt-lamson.edu.vn"
    )
    seat_limit = models.PositiveIntegerField("số tài khoản tối đa (theo email)", default=50)
    valid_until = models.DateField("hiệu lực đến")
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "thuê bao tổ chức"
        verbose_name_plural = "thuê bao tổ chức"

    def __str__(self):
        return self.name

    def networks(self):
        nets = []
        for line in self.ip_ranges.split():
            try:
                nets.append(ipaddress.ip_network(line.strip(), strict=False))
            except ValueError:
                continue
        return nets

    def clean(self):
        for line in self.ip_ranges.split():
            try:
                ipaddress.ip_network(line.strip(), strict=False)
            except ValueError as exc:
                raise ValidationError({"ip_ranges": f"Dải IP không hợp lệ: {line}"}) from exc
        if self.email_domain and ("@" in self.email_domain or "." not in self.email_domain):
            raise ValidationError({"email_domain": "Chỉ ghi tên miền, ví dụ: truong.edu.vn"})


class InstitutionSeat(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="paywall_one_seat")
        ]

    def __str__(self):
        return f"{self.institution_id}/{self.user_id}"


class CounterKind(models.TextChoices):
    WALL_REGISTER = "wall_register", "Hiện tường đăng ký"
    WALL_SUBSCRIBE = "wall_subscribe", "Hiện tường thuê bao"
    SIGNUP = "signup", "Đăng ký tài khoản"
    CONVERSION = "conversion", "Mua gói"


class PaywallCounter(models.Model):
    """Monthly counters per outlet: paywall impressions and conversions."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    kind = models.CharField(max_length=20, choices=CounterKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "month", "kind"], name="paywall_counter_key")
        ]

    def __str__(self):
        return f"{self.site_id} {self.month} {self.kind}: {self.count}"
