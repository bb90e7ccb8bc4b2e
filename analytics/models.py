"""Audience events and rollups, hand-entered facts the system cannot know, the plan's
targets, and the department officer's exchanges with the agencies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from newsroom.models import Agency, Place

# --- Audience ---------------------------------------------------------------------------


class EventKind(models.TextChoices):
    PAGEVIEW = "pageview", "Lượt xem trang"
    HEARTBEAT = "heartbeat", "Thời gian đọc"
    MEDIA_PLAY = "media_play", "Bắt đầu nghe/xem"
    MEDIA_PROGRESS = "media_progress", "Tiến độ nghe/xem"
    PAYWALL_IMPRESSION = "paywall_impression", "Hiển thị tường phí"
    PAYWALL_CONVERSION = "paywall_conversion", "Chuyển đổi tường phí"
    # Written by the newsletters app (open pixel, click redirect), never by the beacon.
    NEWSLETTER_OPEN = "newsletter_open", "Mở bản tin email"
    NEWSLETTER_CLICK = "newsletter_click", "Bấm liên kết trong bản tin email"
    # Written by the push app: an alert accepted by a reader's push service, shown by the
    # browser (its service worker's receipt), failed, expired (404/410), clicked.
    PUSH_SENT = "push_sent", "Gửi thông báo tin nóng"
    PUSH_DELIVERED = "push_delivered", "Thông báo tin nóng đã hiện"
    PUSH_FAILED = "push_failed", "Thông báo tin nóng gửi lỗi"
    PUSH_EXPIRED = "push_expired", "Đăng ký tin nóng hết hạn"
    PUSH_CLICK = "push_click", "Bấm thông báo tin nóng"


class Channel(models.TextChoices):
    DIRECT = "direct", "Truy cập trực tiếp"
    INTERNAL = "internal", "Trong trang"
    SEARCH = "search", "Công cụ tìm kiếm"
    SOCIAL = "social", "Mạng xã hội"
    REFERRAL = "referral", "Trang khác"
    EMAIL = "email", "Bản tin email"
    PUSH = "push", "Thông báo tin nóng"


class Platform(models.TextChoices):
    DESKTOP = "desktop", "Máy tính"
    MOBILE = "mobile", "Điện thoại"
    TABLET = "tablet", "Máy tính bảng"


# Place code stored on an event for an access placed outside Thanh Hóa; NULL is unknown.
PLACE_ELSEWHERE = 0


class DailySalt(models.Model):
    """The secret of one day (local date) that makes visitor hashes; destroyed after two
    days so that yesterday's hashes cannot be recomputed from an IP address."""

    day = models.DateField("ngày", unique=True)
    secret = models.CharField(max_length=64, verbose_name="chuỗi bí mật")
    created_at = models.DateTimeField(default=timezone.now, verbose_name="tạo lúc")

    class Meta:
        verbose_name = "muối băm trong ngày"
        verbose_name_plural = "muối băm theo ngày"

    def __str__(self):
        return f"salt {self.day}"


class Event(models.Model):
    """One accepted beacon event. No IP address, no cookie: `visitor` is
    sha256(daily salt, IP, user agent, site) truncated to 32 hex characters."""

    event_id = models.UUIDField(
        unique=True, verbose_name="mã sự kiện"
    )  # makes a re-queued batch idempotent
    occurred_at = models.DateTimeField(db_index=True, verbose_name="xảy ra lúc")
    kind = models.CharField(max_length=20, choices=EventKind.choices, verbose_name="loại sự kiện")
    site_id = models.PositiveIntegerField(verbose_name="mã trang web")
    page_id = models.PositiveIntegerField(verbose_name="mã trang")
    section_id = models.PositiveIntegerField(null=True, verbose_name="mã chuyên mục")
    story_format = models.CharField(max_length=16, blank=True, verbose_name="loại hình bài")
    visitor = models.CharField(max_length=32, verbose_name="người truy cập (mã ẩn danh)")
    place_code = models.PositiveIntegerField(
        null=True, verbose_name="mã xã/phường (0 = ngoài tỉnh)"
    )  # 0 = outside Thanh Hóa
    channel = models.CharField(
        max_length=10, choices=Channel.choices, verbose_name="nguồn truy cập"
    )
    platform = models.CharField(max_length=8, choices=Platform.choices, verbose_name="thiết bị")
    seconds = models.PositiveIntegerField(default=0, verbose_name="số giây")
    media = models.CharField(
        max_length=5, blank=True, verbose_name="loại phương tiện"
    )  # audio / video

    class Meta:
        verbose_name = "sự kiện truy cập"
        indexes = [models.Index(fields=["site_id", "occurred_at"])]

    def __str__(self):
        return f"{self.kind} {self.page_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class Granularity(models.TextChoices):
    HOUR = "hour", "Giờ"
    DAY = "day", "Ngày"


class Dimension(models.TextChoices):
    TOTAL = "total", "Tổng"
    STORY = "story", "Tin bài"
    SECTION = "section", "Chuyên mục"
    AUTHOR = "author", "Tác giả"
    FORMAT = "format", "Loại hình"
    PLACE = "place", "Địa bàn"
    CHANNEL = "channel", "Nguồn truy cập"
    PLATFORM = "platform", "Thiết bị"


class Rollup(models.Model):
    """Pre-counted audience per (hour or day, outlet site, dimension, key): reports read
    these, never the raw events. `visitors` is distinct within the bucket only (the salt
    rotates daily, so a visitor is one per day by design). The `place` dimension keys on
    the commune code so that classes follow the Place flags as the admin edits them."""

    granularity = models.CharField(
        max_length=4, choices=Granularity.choices, verbose_name="mức thời gian"
    )
    bucket = models.DateTimeField(verbose_name="khoảng thời gian")
    site_id = models.PositiveIntegerField(verbose_name="mã trang web")
    dimension = models.CharField(
        max_length=10, choices=Dimension.choices, verbose_name="chiều thống kê"
    )
    key = models.CharField(max_length=40, verbose_name="giá trị")
    pageviews = models.PositiveIntegerField(default=0, verbose_name="lượt xem trang")
    visitors = models.PositiveIntegerField(default=0, verbose_name="người truy cập")
    engaged_seconds = models.PositiveBigIntegerField(default=0, verbose_name="thời gian đọc (giây)")
    media_plays = models.PositiveIntegerField(default=0, verbose_name="lượt nghe/xem")
    media_seconds = models.PositiveBigIntegerField(
        default=0, verbose_name="thời gian nghe/xem (giây)"
    )
    paywall_impressions = models.PositiveIntegerField(default=0, verbose_name="lượt hiện tường phí")
    paywall_conversions = models.PositiveIntegerField(
        default=0, verbose_name="lượt chuyển đổi tường phí"
    )
    newsletter_opens = models.PositiveIntegerField(default=0, verbose_name="lượt mở bản tin email")
    newsletter_clicks = models.PositiveIntegerField(
        default=0, verbose_name="lượt bấm từ bản tin email"
    )
    push_sent = models.PositiveIntegerField(default=0, verbose_name="tin nóng đã gửi")
    push_delivered = models.PositiveIntegerField(default=0, verbose_name="tin nóng đã hiện")
    push_failed = models.PositiveIntegerField(default=0, verbose_name="tin nóng gửi lỗi")
    push_expired = models.PositiveIntegerField(default=0, verbose_name="đăng ký tin nóng hết hạn")
    push_clicks = models.PositiveIntegerField(default=0, verbose_name="lượt bấm tin nóng")

    class Meta:
        verbose_name = "số liệu tổng hợp"
        verbose_name_plural = "số liệu tổng hợp"
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "bucket", "site_id", "dimension", "key"],
                name="one_rollup_per_bucket_key",
            )
        ]
        indexes = [models.Index(fields=["granularity", "dimension", "bucket"])]

    def __str__(self):
        return f"{self.granularity} {self.bucket:%Y-%m-%d %H} {self.dimension}={self.key}"


class PendingRollup(models.Model):
    """A bucket that received events since its rollup was last computed."""

    granularity = models.CharField(
        max_length=4, choices=Granularity.choices, verbose_name="mức thời gian"
    )
    bucket = models.DateTimeField(verbose_name="khoảng thời gian")
    marked_at = models.DateTimeField(default=timezone.now, verbose_name="đánh dấu lúc")

    class Meta:
        verbose_name = "khoảng chờ tổng hợp"
        verbose_name_plural = "khoảng chờ tổng hợp"
        constraints = [
            models.UniqueConstraint(fields=["granularity", "bucket"], name="one_pending_bucket")
        ]

    def __str__(self):
        return f"{self.granularity} {self.bucket}"


class IpRange(models.Model):
    """Dải IP → xã/phường, imported by the operator from a CSV file."""

    network = models.CharField("dải địa chỉ (CIDR)", max_length=49, unique=True)
    version = models.PositiveSmallIntegerField(verbose_name="phiên bản IP")
    # Integers as decimal strings padded to 39 digits: IPv6 does not fit a bigint and
    # padded strings sort like the numbers they hold on every database.
    first = models.CharField(max_length=39, db_index=True, verbose_name="địa chỉ đầu")
    last = models.CharField(max_length=39, verbose_name="địa chỉ cuối")
    place_code = models.PositiveIntegerField("mã xã/phường (0 = ngoài tỉnh)")
    imported_at = models.DateTimeField(default=timezone.now, verbose_name="nhập lúc")

    class Meta:
        ordering = ["first"]
        verbose_name = "dải IP theo địa bàn"
        verbose_name_plural = "dải IP theo địa bàn"

    def __str__(self):
        return f"{self.network} → {self.place_code}"


# --- Hand-entered facts -----------------------------------------------------------------


def _year_validators():
    return [MinValueValidator(2015), MaxValueValidator(2100)]


class PrintCirculation(models.Model):
    """Lượng phát hành báo in: copies of one issue delivered to one commune/ward."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    issue_date = models.DateField("ngày phát hành số báo")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name="xã/phường")
    copies = models.PositiveIntegerField("số bản")

    class Meta:
        verbose_name = "phát hành báo in"
        verbose_name_plural = "phát hành báo in"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "issue_date", "place"], name="one_circulation_row"
            )
        ]

    def __str__(self):
        return f"{self.agency} {self.issue_date:%d/%m/%Y} — {self.place}: {self.copies}"


class Population(models.Model):
    """Dân số of a commune/ward in a year (from the statistics office)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name="xã/phường")
    year = models.PositiveIntegerField("năm", validators=_year_validators())
    people = models.PositiveIntegerField("số dân")

    class Meta:
        verbose_name = "dân số"
        verbose_name_plural = "dân số"
        constraints = [models.UniqueConstraint(fields=["place", "year"], name="one_population_row")]

    def __str__(self):
        return f"{self.place} {self.year}: {self.people}"


class Reach(models.Model):
    """Người dân tiếp cận ít nhất một loại hình báo chí thiết yếu, per commune and year
    (surveys, broadcast coverage). Without an agency the row is the province's figure."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, verbose_name="cơ quan"
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name="xã/phường")
    year = models.PositiveIntegerField("năm", validators=_year_validators())
    people = models.PositiveIntegerField("số người được tiếp cận")
    source = models.CharField("nguồn số liệu", max_length=200, blank=True)

    class Meta:
        verbose_name = "tiếp cận báo chí thiết yếu"
        verbose_name_plural = "tiếp cận báo chí thiết yếu"
        constraints = [
            models.UniqueConstraint(fields=["agency", "place", "year"], name="one_reach_row")
        ]

    def __str__(self):
        return f"{self.place} {self.year}: {self.people}"


class AgencyYearStatus(models.Model):
    """What an agency was in a year: autonomous, commissioned by the State, converged
    (with the evidence an inspector can check)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm", validators=_year_validators())
    autonomous = models.BooleanField("tự chủ", default=False)
    state_commissioned = models.BooleanField("được Nhà nước đặt hàng, giao nhiệm vụ", default=False)
    converged = models.BooleanField("vận hành mô hình tòa soạn hội tụ", default=False)
    converged_evidence = models.TextField(
        "minh chứng tòa soạn hội tụ",
        blank=True,
        help_text="Quyết định, quy chế, sơ đồ tổ chức… Bắt buộc khi đánh dấu hội tụ.",
    )

    class Meta:
        verbose_name = "tình trạng cơ quan theo năm"
        verbose_name_plural = "tình trạng cơ quan theo năm"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_status_per_agency_year")
        ]

    def __str__(self):
        return f"{self.agency} {self.year}"

    def clean(self):
        if self.converged and not self.converged_evidence.strip():
            raise ValidationError(
                {"converged_evidence": "Cần minh chứng khi đánh dấu đã chuyển đổi hội tụ."}
            )


class PlatformRevenue(models.Model):
    """Doanh thu trên nền tảng số not in the paywall ledger (advertising, YouTube,
    Zalo, partners), entered per source and month, in đồng."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm", validators=_year_validators())
    month = models.PositiveSmallIntegerField(
        "tháng", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    source = models.CharField("nguồn thu", max_length=80)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")

    class Meta:
        verbose_name = "doanh thu nền tảng số"
        verbose_name_plural = "doanh thu nền tảng số"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "month", "source"], name="one_revenue_row"
            )
        ]

    def __str__(self):
        return f"{self.agency} {self.month}/{self.year} {self.source}: {self.amount}"


class TrainingRecord(models.Model):
    """Đào tạo chuyển đổi số báo chí: one course attended by one staff member."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="cán bộ"
    )
    course = models.CharField("khóa học", max_length=200)
    completed_on = models.DateField("ngày hoàn thành")
    hours = models.PositiveSmallIntegerField("số giờ", default=0)

    class Meta:
        verbose_name = "đào tạo chuyển đổi số"
        verbose_name_plural = "đào tạo chuyển đổi số"

    def __str__(self):
        return f"{self.person} — {self.course}"


MATURITY_PILLARS = [
    ("strategy", "Chiến lược", 18),
    ("infrastructure", "Hạ tầng, nền tảng số và an toàn thông tin", 24),
    ("organisation", "Tổ chức, nhân lực", 20),
    ("audiences", "Khán giả, độc giả", 23),
    ("technology", "Ứng dụng công nghệ số", 15),
]


class MaturityAssessment(models.Model):
    """Tự đánh giá mức độ chuyển đổi số báo chí (five pillars, 100 points)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm", validators=_year_validators())
    strategy = models.PositiveSmallIntegerField("chiến lược (tối đa 18)")
    infrastructure = models.PositiveSmallIntegerField("hạ tầng, nền tảng, an toàn (tối đa 24)")
    organisation = models.PositiveSmallIntegerField("tổ chức (tối đa 20)")
    audiences = models.PositiveSmallIntegerField("khán giả (tối đa 23)")
    technology = models.PositiveSmallIntegerField("ứng dụng công nghệ số (tối đa 15)")

    class Meta:
        verbose_name = "tự đánh giá mức độ chuyển đổi số"
        verbose_name_plural = "tự đánh giá mức độ chuyển đổi số"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_assessment_per_year")
        ]

    def __str__(self):
        return f"{self.agency} {self.year}: {self.total}/100"

    @property
    def total(self) -> int:
        return sum(getattr(self, name) or 0 for name, _, _ in MATURITY_PILLARS)

    def clean(self):
        errors = {}
        for name, label, maximum in MATURITY_PILLARS:
            value = getattr(self, name)
            if value is not None and value > maximum:
                errors[name] = f"{label}: tối đa {maximum} điểm."
        if errors:
            raise ValidationError(errors)


# --- The plan's targets -----------------------------------------------------------------


class IndicatorTarget(models.Model):
    """A target of the plan for one indicator and year (appendix 2023–2025, goals 2025 and
    2030), loaded by a data migration. `value` is a percentage."""

    indicator = models.CharField("chỉ tiêu", max_length=40)
    year = models.PositiveIntegerField("năm")
    value = models.DecimalField("mục tiêu (%)", max_digits=6, decimal_places=2)
    label = models.CharField("cách ghi trong kế hoạch", max_length=60)
    source = models.CharField("nguồn", max_length=120)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = "chỉ tiêu kế hoạch"
        verbose_name_plural = "chỉ tiêu kế hoạch"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_target_per_year")
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.label}"


# --- Department portal ------------------------------------------------------------------


class GuidanceDocument(models.Model):
    """Văn bản hướng dẫn the department sends down to the agencies."""

    title = models.CharField("tiêu đề", max_length=255)
    reference = models.CharField("số, ký hiệu", max_length=80, blank=True)
    body = models.TextField("nội dung")
    agencies = models.ManyToManyField(Agency, verbose_name="gửi tới cơ quan")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    sent_at = models.DateTimeField("ngày gửi", default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "văn bản hướng dẫn"
        verbose_name_plural = "văn bản hướng dẫn"

    def __str__(self):
        return self.title


class GuidanceReceipt(models.Model):
    """Xác nhận đã đọc: the first time someone of an agency opened the document."""

    document = models.ForeignKey(
        GuidanceDocument, on_delete=models.CASCADE, related_name="receipts", verbose_name="văn bản"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan báo chí")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="người đọc"
    )
    read_at = models.DateTimeField(default=timezone.now, verbose_name="đọc lúc")

    class Meta:
        verbose_name = "xác nhận đã đọc văn bản"
        verbose_name_plural = "xác nhận đã đọc văn bản"
        constraints = [
            models.UniqueConstraint(fields=["document", "agency"], name="one_receipt_per_agency")
        ]

    def __str__(self):
        return f"{self.document} — {self.agency}"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "Đã gửi"
    RECEIVED = "received", "Sở đã tiếp nhận"
    RETURNED = "returned", "Sở yêu cầu bổ sung"


class YearlyReport(models.Model):
    """Báo cáo năm an agency submits up to the department (the export, frozen)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm")
    status = models.CharField(
        "trạng thái", max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    file = models.FileField("tệp báo cáo", upload_to="analytics/reports/")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name="gửi lúc")
    officer_note = models.TextField("ý kiến của Sở", blank=True)

    class Meta:
        ordering = ["-year", "agency"]
        verbose_name = "báo cáo năm"
        verbose_name_plural = "báo cáo năm"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_report_per_agency_year")
        ]

    def __str__(self):
        return f"{self.agency} {self.year}"
