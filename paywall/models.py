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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reader_profile",
        verbose_name="tài khoản",
    )
    email_verified_at = models.DateTimeField("xác nhận email lúc", null=True, blank=True)
    # National commune/ward code (vietnam-provinces); the analytics app places readers by it.
    commune_code = models.PositiveIntegerField("xã/phường cư trú (mã)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="đăng ký lúc")

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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="độc giả"
    )
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    month = models.CharField(max_length=7, verbose_name="tháng")  # "2026-11"
    story_id = models.PositiveIntegerField(verbose_name="mã bài")
    # A story unlocked by a gift link is remembered without charging the meter.
    gifted = models.BooleanField(default=False, verbose_name="đọc bằng liên kết tặng")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="đọc lúc")

    class Meta:
        verbose_name = "lượt đọc tính vào hạn mức"
        verbose_name_plural = "lượt đọc tính vào hạn mức"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site", "month", "story_id"], name="paywall_meter_once"
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.site_id}/{self.month}/{self.story_id}"


class Plan(models.Model):
    """Gói cước of one outlet."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.PROTECT, related_name="+", verbose_name="trang báo"
    )
    name = models.CharField("tên gói", max_length=100)
    slug = models.SlugField(max_length=50, verbose_name="đường dẫn")
    duration_days = models.PositiveIntegerField("thời hạn (ngày)")
    price = models.PositiveIntegerField("giá (đồng)")
    description = models.CharField("mô tả", max_length=300, blank=True)
    is_active = models.BooleanField("đang bán", default=True)
    sort_order = models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự hiển thị")

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


# Shown where a reader who deleted their account used to be named.
DELETED_READER = "(độc giả đã xóa tài khoản)"


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    ACTIVE = "active", "Đang hiệu lực"
    EXPIRED = "expired", "Hết hạn"
    CANCELLED = "cancelled", "Đã hủy"


class Subscription(models.Model):
    # NULL once the reader deleted their account (Decree 13/2023): the subscription and
    # its ledger entries stay, without the person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name="độc giả",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.PROTECT, related_name="+", verbose_name="trang báo"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="gói cước"
    )
    status = models.CharField(
        max_length=10,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
        verbose_name="trạng thái",
    )
    starts_at = models.DateTimeField(null=True, blank=True, verbose_name="bắt đầu")
    ends_at = models.DateTimeField(null=True, blank=True, verbose_name="hết hạn")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name="kích hoạt lúc")
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name="hủy lúc")
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name="nhắc gia hạn lúc")

    class Meta:
        verbose_name = "thuê bao"
        verbose_name_plural = "thuê bao"
        indexes = [models.Index(fields=["user", "site", "status"])]

    def __str__(self):
        who = self.user if self.user_id else DELETED_READER
        return f"{who} · {self.plan.name} · {self.get_status_display()}"

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
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="trang báo",
    )
    kind = models.CharField(max_length=10, choices=PromoKind.choices, verbose_name="cách giảm")
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

    reference = models.CharField(
        max_length=40, unique=True, default=new_order_reference, verbose_name="mã đơn"
    )
    # NULL once the reader deleted their account: amount, reference and gateway stay.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="độc giả",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.PROTECT, related_name="+", verbose_name="trang báo"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="orders", verbose_name="gói cước"
    )
    subscription = models.OneToOneField(
        Subscription,
        on_delete=models.PROTECT,
        related_name="order",
        null=True,
        blank=True,
        verbose_name="thuê bao",
    )
    promo = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, verbose_name="mã khuyến mại"
    )
    gateway = models.CharField(
        max_length=10, choices=Gateway.choices, verbose_name="cổng thanh toán"
    )
    list_price = models.PositiveIntegerField(verbose_name="giá niêm yết (đồng)")
    amount = models.PositiveIntegerField("số tiền (đồng)")
    status = models.CharField(
        max_length=10,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
        verbose_name="trạng thái",
    )
    gateway_ref = models.CharField(max_length=64, blank=True, verbose_name="mã giao dịch của cổng")
    # The gateway's own app_trans_id for ZaloPay (yymmdd_ prefix).
    gateway_order_id = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name="mã đơn tại cổng"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name="thanh toán lúc")
    # Reconciliation: how often, and when last, the gateway was asked about this order
    # while it was pending; set when the answer (not a callback) settled it.
    checks = models.PositiveSmallIntegerField(default=0, verbose_name="số lần đối soát")
    checked_at = models.DateTimeField(null=True, blank=True, verbose_name="đối soát lần cuối lúc")
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

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name="đơn thanh toán"
    )
    amount = models.PositiveIntegerField("số tiền hoàn (đồng)")
    reason = models.CharField("lý do", max_length=200)
    status = models.CharField(
        "trạng thái", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    request_id = models.CharField(max_length=64, unique=True, verbose_name="mã yêu cầu hoàn tiền")
    gateway_ref = models.CharField("mã hoàn tiền của cổng", max_length=64, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người yêu cầu",
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name="yêu cầu lúc")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="xong lúc")

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

    kind = models.CharField(max_length=15, choices=LedgerKind.choices, verbose_name="loại")
    amount = models.BigIntegerField("số tiền (đồng)")  # refunds are negative
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.PROTECT, related_name="+", verbose_name="trang báo"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="+", verbose_name="gói cước"
    )
    gateway = models.CharField(
        max_length=10, choices=Gateway.choices, verbose_name="cổng thanh toán"
    )
    gateway_ref = models.CharField(max_length=64, blank=True, verbose_name="mã giao dịch của cổng")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="đơn thanh toán"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="thuê bao"
    )
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name="ghi sổ lúc"
    )

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

    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="người tặng",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    story_id = models.PositiveIntegerField(verbose_name="mã bài")
    created_at = models.DateTimeField(default=timezone.now, verbose_name="tạo lúc")
    expires_at = models.DateTimeField(verbose_name="hết hạn lúc")
    max_uses = models.PositiveSmallIntegerField(verbose_name="số lượt đọc tối đa")
    uses = models.PositiveSmallIntegerField(default=0, verbose_name="đã đọc")

    class Meta:
        verbose_name = "liên kết tặng bài"
        verbose_name_plural = "liên kết tặng bài"
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
        verbose_name="trang báo",
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
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="seats", verbose_name="thuê bao tổ chức"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="tài khoản",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="thêm lúc")

    class Meta:
        verbose_name = "tài khoản thuộc tổ chức"
        verbose_name_plural = "tài khoản thuộc tổ chức"
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

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name="trang báo"
    )
    month = models.CharField(max_length=7, verbose_name="tháng")
    kind = models.CharField(max_length=20, choices=CounterKind.choices, verbose_name="loại")
    count = models.PositiveIntegerField(default=0, verbose_name="số lần")

    class Meta:
        verbose_name = "số đếm tường phí"
        verbose_name_plural = "số đếm tường phí"
        constraints = [
            models.UniqueConstraint(fields=["site", "month", "kind"], name="paywall_counter_key")
        ]

    def __str__(self):
        return f"{self.site_id} {self.month} {self.kind}: {self.count}"
