"""Outside AI services an agency uses (domestic providers: FPT.AI, Viettel AI), their
credentials (encrypted at rest like distribution credentials), the agency's policy on
what text may leave for them, and a count of every call (docs/ai.md).

The apps that call providers (listen-to-story, transcripts) go through
`aiservices.services`: it picks the agency's enabled accounts, refuses paid text unless
the agency allows it, and records each call, failure and unit used."""

from django.conf import settings
from django.db import models

from distribution.crypto import decrypt_json, encrypt_json, mask


class Provider(models.TextChoices):
    FPT = "fpt", "FPT.AI"
    VIETTEL = "viettel", "Viettel AI"
    # Runs on our own machines (espeak-ng, local models): no text leaves, no key needed.
    OFFLINE = "offline", "Ngoại tuyến (trên máy chủ của cơ quan)"


class Capability(models.TextChoices):
    TTS = "tts", "Chuyển văn bản thành giọng nói"
    STT = "stt", "Chuyển giọng nói thành văn bản"
    # The editor's "Gợi ý AI" panel (assist/): always on our own machines (provider
    # OFFLINE), no account or key; counted so the monthly usage shows it.
    ASSIST = "assist", "Gợi ý AI cho biên tập"


# The capabilities an agency holds provider accounts for (the suggestions need none).
ACCOUNT_CAPABILITIES = [c for c in Capability if c != Capability.ASSIST]

# What a call's units count, by capability.
UNIT_LABELS = {
    Capability.TTS: "ký tự",
    Capability.STT: "giây âm thanh",
    Capability.ASSIST: "ký tự bài gửi gợi ý",
}


class ProviderAccount(models.Model):
    """One agency's account with one provider for one capability."""

    agency = models.ForeignKey(
        "newsroom.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        related_name="ai_accounts",
    )
    provider = models.CharField(
        "nhà cung cấp",
        max_length=16,
        choices=[(p.value, p.label) for p in Provider if p != Provider.OFFLINE],
    )
    capability = models.CharField(
        "dịch vụ",
        max_length=8,
        choices=[(c.value, c.label) for c in ACCOUNT_CAPABILITIES],
    )
    enabled = models.BooleanField("đang dùng", default=True)
    priority = models.PositiveSmallIntegerField(
        "thứ tự ưu tiên",
        default=10,
        help_text="Số nhỏ được thử trước; lỗi thì thử tài khoản kế tiếp, cuối cùng là "
        "phương án ngoại tuyến (nếu dịch vụ có).",
    )
    endpoint = models.URLField(
        "địa chỉ API",
        blank=True,
        help_text="Để trống: địa chỉ công bố của nhà cung cấp.",
    )
    voice = models.CharField(
        "giọng đọc",
        max_length=60,
        blank=True,
        help_text="Chỉ cho chuyển văn bản thành giọng nói, ví dụ FPT.AI: banmai, leminh; "
        "Viettel AI: hn-quynhanh, hcm-diemmy. Để trống: giọng mặc định.",
    )
    credentials_encrypted = models.TextField(
        editable=False, blank=True, default="", verbose_name="khóa API (đã mã hóa)"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["agency", "capability", "priority", "pk"]
        verbose_name = "tài khoản dịch vụ AI"
        verbose_name_plural = "tài khoản dịch vụ AI"

    def __str__(self):
        return f"{self.get_provider_display()} – {self.get_capability_display()} ({self.agency})"

    @property
    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, value: dict) -> None:
        self.credentials_encrypted = encrypt_json(value)

    @property
    def api_key(self) -> str:
        return self.credentials.get("api_key", "")

    def masked_api_key(self) -> str:
        try:
            return mask(self.api_key)
        except ValueError:
            return "(không giải mã được bằng khóa hiện tại)"


class AIPolicy(models.Model):
    """What an agency lets leave for an outside AI provider."""

    agency = models.OneToOneField(
        "newsroom.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        related_name="ai_policy",
    )
    send_paid_text = models.BooleanField(
        "cho phép gửi nội dung thu phí tới nhà cung cấp",
        default=False,
        help_text="Tắt (mặc định): bài thu phí không bao giờ được gửi ra nhà cung cấp bên "
        "ngoài; chỉ dùng phương án ngoại tuyến.",
    )
    listen_to_paid = models.BooleanField(
        "làm bản nghe cho bài thu phí",
        default=False,
        help_text="Bật: bài thu phí cũng có bản “Nghe bài viết”, chỉ người đọc được quyền "
        "đọc bài mới nghe được.",
    )

    class Meta:
        verbose_name = "chính sách dịch vụ AI"
        verbose_name_plural = "chính sách dịch vụ AI"

    def __str__(self):
        return f"Chính sách AI – {self.agency}"


class UsageMonth(models.Model):
    """Calls and units used per agency, provider, capability and month (units: characters
    of text for TTS and for the editor's suggestions, seconds of audio for STT)."""

    agency = models.ForeignKey(
        "newsroom.Agency", verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+"
    )
    provider = models.CharField("nhà cung cấp", max_length=16, choices=Provider.choices)
    capability = models.CharField("dịch vụ", max_length=8, choices=Capability.choices)
    month = models.DateField("tháng", help_text="Ngày 1 của tháng.")
    calls = models.PositiveIntegerField("số lần gọi", default=0)
    failures = models.PositiveIntegerField("số lần lỗi", default=0)
    units = models.PositiveBigIntegerField("đơn vị dùng", default=0)

    class Meta:
        ordering = ["-month", "agency", "provider", "capability"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "provider", "capability", "month"], name="ai_usage_month_once"
            )
        ]
        verbose_name = "lượt dùng dịch vụ AI theo tháng"
        verbose_name_plural = "lượt dùng dịch vụ AI theo tháng"

    def __str__(self):
        return f"{self.agency} {self.provider} {self.capability} {self.month:%m/%Y}"

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.capability, "đơn vị")


class CallLog(models.Model):
    """Every call to a provider (offline ones included), its outcome and its cost."""

    at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)
    agency = models.ForeignKey(
        "newsroom.Agency", verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+"
    )
    provider = models.CharField("nhà cung cấp", max_length=16, choices=Provider.choices)
    capability = models.CharField("dịch vụ", max_length=8, choices=Capability.choices)
    ok = models.BooleanField("thành công")
    units = models.PositiveIntegerField("đơn vị", default=0)
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)
    subject = models.CharField(
        "đối tượng", max_length=200, blank=True, help_text="Ví dụ: trang 123, tệp 45."
    )
    error = models.TextField("lỗi", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = "lần gọi dịch vụ AI"
        verbose_name_plural = "nhật ký gọi dịch vụ AI"

    def __str__(self):
        state = "OK" if self.ok else "lỗi"
        return f"{self.at:%d/%m/%Y %H:%M} {self.provider} {self.capability} {state}"
