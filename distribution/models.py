"""Platforms an agency pushes to, deliveries to them, what each platform holds, and the
partners that read the sharing API."""

import hashlib
import secrets

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import timezone
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .crypto import decrypt_json, encrypt_json, mask


class PlatformKind(models.TextChoices):
    ZALO_OA = "zalo_oa", "Zalo Official Account (bài viết)"
    HTTP_PUSH = "http_push", "HTTP push có chữ ký (webhook)"
    FTP = "ftp", "FTP (giao tệp)"
    SFTP = "sftp", "SFTP (giao tệp qua SSH)"


class Platform(models.Model):
    """Nền tảng phân phối: one account of an agency on an outside platform."""

    agency = models.ForeignKey(
        "newsroom.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        related_name="platforms",
    )
    name = models.CharField("tên", max_length=120)
    kind = models.CharField("loại", max_length=16, choices=PlatformKind.choices)
    enabled = models.BooleanField(
        "đang dùng",
        default=True,
        help_text="Bài đăng mới chỉ được đẩy tới nền tảng đang dùng.",
    )
    endpoint = models.CharField(
        "địa chỉ",
        max_length=500,
        help_text="Zalo: gốc API (https://openapi.zalo.me); HTTP push: URL nhận; "
        "FTP: ftp://máy-chủ:cổng/thư-mục; SFTP: sftp://máy-chủ:cổng/thư-mục "
        "(đường dẫn tuyệt đối, hoặc sftp://máy-chủ/~/thư-mục tính từ thư mục đăng nhập)",
    )
    token_endpoint = models.CharField(
        "địa chỉ cấp mã truy cập (Zalo)",
        max_length=500,
        blank=True,
        help_text="Để trống: https://oauth.zaloapp.com/v4/oa/access_token",
    )
    # Not a secret: shown back in full so it can be compared with the server's.
    host_key_fingerprint = models.TextField(
        "vân tay khóa máy chủ (SFTP)",
        blank=True,
        help_text="Dạng SHA256:… như ssh-keygen -lf in ra; lấy bằng "
        "ssh-keyscan -p cổng máy-chủ | ssh-keygen -lf - (dán một hoặc nhiều dòng). "
        "Khóa máy chủ không khớp thì không gửi.",
    )
    # FTP: FTPS with explicit TLS (AUTH TLS, PROT P) unless plain FTP is allowed on purpose.
    ftp_plaintext_allowed = models.BooleanField(
        "cho phép FTP không mã hóa",
        default=False,
        help_text="Chỉ bật khi máy chủ của đối tác không hỗ trợ FTPS và đã thỏa thuận: tên "
        "đăng nhập, mật khẩu và tệp bài sẽ đi qua mạng ở dạng rõ, ai ở giữa đường truyền "
        "cũng đọc được. Mặc định giao tệp qua FTPS (TLS tường minh) và kiểm tra chứng chỉ "
        "máy chủ.",
    )
    tls_ca_certificate = models.TextField(
        "chứng chỉ CA của máy chủ FTPS (PEM)",
        blank=True,
        help_text="Để trống: chứng chỉ máy chủ được kiểm tra theo kho CA của hệ thống. Máy "
        "chủ dùng chứng chỉ tự ký hoặc CA riêng: dán chứng chỉ đó (-----BEGIN "
        "CERTIFICATE-----…), đã đối chiếu với quản trị máy chủ; khi đó chỉ tin chứng chỉ "
        "này. Tên máy chủ trong địa chỉ phải có trong chứng chỉ.",
    )
    credentials_encrypted = models.TextField(
        editable=False, blank=True, default="", verbose_name="thông tin đăng nhập (đã mã hóa)"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    # Zalo OAuth v4: the access token lives ~25 hours, the single-use refresh token ~3
    # months; beat refreshes ahead of the first and warns before the second.
    access_expires_at = models.DateTimeField("access token hết hạn", null=True, blank=True)
    refresh_expires_at = models.DateTimeField("refresh token hết hạn", null=True, blank=True)
    token_problem = models.TextField("sự cố token", blank=True, editable=False)
    token_warned_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name="đã cảnh báo mã truy cập sắp hết hạn lúc",
    )

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = "nền tảng phân phối"
        verbose_name_plural = "nền tảng phân phối"
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="platform_name_per_agency")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def sends_in_clear(self) -> bool:
        return self.kind == PlatformKind.FTP and self.ftp_plaintext_allowed

    @admin.display(description="đường truyền")
    def transport(self) -> str:
        if self.sends_in_clear:
            return "⚠ FTP không mã hóa: mật khẩu và tệp đi qua mạng ở dạng rõ"
        if self.kind in (PlatformKind.FTP, PlatformKind.SFTP):
            return "FTPS (TLS)" if self.kind == PlatformKind.FTP else "SSH"
        return "HTTPS" if self.endpoint.startswith("https://") else "HTTP"

    @property
    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, value: dict) -> None:
        self.credentials_encrypted = encrypt_json(value)

    def masked_credentials(self) -> dict:
        try:
            return {k: mask(v) for k, v in self.credentials.items()}
        except ValueError:
            return {"?": "không giải mã được"}


@register_setting(icon="resubmit")
class DistributionSettings(BaseSiteSetting):
    """Per-outlet settings of distribution."""

    zalo_cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="ảnh bìa mặc định (Zalo OA)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Zalo bắt buộc mọi bài viết có ảnh bìa. Bài không có ảnh đại diện sẽ dùng "
        "ảnh này (nên là ảnh ngang, ví dụ 1200×675, dưới 1 MB).",
    )

    class Meta:
        verbose_name = "thiết lập phân phối"


class DeliveryAction(models.TextChoices):
    PUBLISH = "publish", "Đăng"
    UPDATE = "update", "Cập nhật"
    REMOVE = "remove", "Gỡ"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    DELIVERED = "delivered", "Đã giao"
    RETRYING = "retrying", "Chờ thử lại"
    FAILED = "failed", "Thất bại"
    CANCELLED = "cancelled", "Đã hủy"


OPEN_STATES = [DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.RETRYING]


class Delivery(models.Model):
    """Lượt phân phối: one action (publish, update, remove) of one story on one platform."""

    story = models.ForeignKey(
        "newsroom.StoryPage",
        verbose_name="tin bài",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    platform = models.ForeignKey(
        Platform, verbose_name="nền tảng", on_delete=models.CASCADE, related_name="deliveries"
    )
    action = models.CharField("thao tác", max_length=10, choices=DeliveryAction.choices)
    state = models.CharField(
        "trạng thái",
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        db_index=True,
    )
    # One row per (story, platform, action, revision): the same publish twice (a double
    # click, a signal sent twice, a task rerun) finds this row instead of making another.
    idempotency_key = models.CharField(
        max_length=120, unique=True, verbose_name="khóa chống gửi trùng"
    )
    revision_id = models.PositiveBigIntegerField(
        null=True, blank=True, verbose_name="mã phiên bản bài"
    )
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_try_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    remote_id = models.CharField("mã trên nền tảng", max_length=200, blank=True)
    # Adapter progress that must survive a retry (e.g. Zalo's processing token), so a
    # retry resumes instead of creating the article a second time.
    progress = models.JSONField(default=dict, blank=True, verbose_name="tiến độ")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người yêu cầu",
    )
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")
    delivered_at = models.DateTimeField("giao lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lượt phân phối"
        verbose_name_plural = "lượt phân phối"
        indexes = [models.Index(fields=["platform", "state"])]

    def __str__(self):
        return f"{self.get_action_display()} #{self.story_id} → {self.platform}"


class PlatformCopy(models.Model):
    """What a platform holds of a story (its remote id), so updates and takedowns reach
    every platform that has it."""

    story = models.ForeignKey(
        "newsroom.StoryPage",
        on_delete=models.CASCADE,
        related_name="platform_copies",
        verbose_name="bài",
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="copies", verbose_name="nền tảng"
    )
    remote_id = models.CharField(max_length=200, verbose_name="mã trên nền tảng")
    created_at = models.DateTimeField(default=timezone.now, verbose_name="tạo lúc")
    updated_at = models.DateTimeField(default=timezone.now, verbose_name="cập nhật lúc")

    class Meta:
        verbose_name = "bản trên nền tảng"
        constraints = [
            models.UniqueConstraint(fields=["story", "platform"], name="one_copy_per_platform")
        ]

    def __str__(self):
        return f"#{self.story_id} @ {self.platform_id}: {self.remote_id}"


class SharingPolicy(models.Model):
    """Chia sẻ dữ liệu báo chí: what an agency lets partner agencies read."""

    agency = models.OneToOneField(
        "newsroom.Agency",
        on_delete=models.CASCADE,
        related_name="sharing_policy",
        verbose_name="cơ quan báo chí",
    )
    share_stories = models.BooleanField("cho đối tác đọc tin bài", default=True)
    share_paid_teasers = models.BooleanField(
        "chia sẻ phần đọc thử của bài thu phí",
        default=True,
        help_text="Chỉ phần trước dấu hết đọc thử; không bao giờ chia sẻ phần thu phí.",
    )

    class Meta:
        verbose_name = "chính sách chia sẻ dữ liệu"
        verbose_name_plural = "chính sách chia sẻ dữ liệu"

    def __str__(self):
        return f"Chia sẻ — {self.agency}"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class PartnerKey(models.Model):
    """Khóa API của đối tác: stored hashed; the raw key is shown once at creation."""

    name = models.CharField("đối tác", max_length=200)
    prefix = models.CharField(max_length=12, editable=False, verbose_name="tiền tố khóa")
    key_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name="mã băm của khóa"
    )
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name="tạo lúc")
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name="dùng lần cuối lúc"
    )

    class Meta:
        verbose_name = "khóa API đối tác"
        verbose_name_plural = "khóa API đối tác"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def save(self, *args, **kwargs):
        if not self.key_hash:
            # Created from the admin: make a key; the raw value is shown once, then lost.
            raw = self.generate()
            self.prefix, self.key_hash = raw[:10], hash_key(raw)
            self.raw_key = raw
        super().save(*args, **kwargs)

    @staticmethod
    def generate() -> str:
        return "ht_" + secrets.token_urlsafe(32)
