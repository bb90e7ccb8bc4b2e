"""Nhuận bút (Decree 18/2014/NĐ-CP): each agency's frame (genres and their coefficient
ranges, the value of one coefficient unit, extra coefficients, the monthly fund, the tax
withheld) and the grades of its published works, month by month. docs/royalties.md."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from newsroom.models import Agency, StoryPage

# Mức lương cơ sở from 1 July 2024 (Decree 73/2024/NĐ-CP, art. 3).
BASE_SALARY = Decimal(2_340_000)
BASE_SALARY_FROM = datetime.date(2024, 7, 1)
# Every agency starts with these (date, base salary, basis), so that works of earlier
# months are graded at the value of their day.
BASE_SALARIES = [
    (datetime.date(2019, 7, 1), Decimal(1_490_000), "Nghị định 38/2019/NĐ-CP"),
    (datetime.date(2023, 7, 1), Decimal(1_800_000), "Nghị định 24/2023/NĐ-CP"),
    (BASE_SALARY_FROM, BASE_SALARY, "Nghị định 73/2024/NĐ-CP"),
]
# Giá trị một đơn vị hệ số nhuận bút = 10% of the base salary (Decree 18/2014, art. 8 for
# press, art. 12 for radio and television).
UNIT_SHARE_PERCENT = Decimal(10)


def dong(value) -> Decimal:
    """Whole đồng, half up."""
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


class Medium(models.TextChoices):
    PRESS = "press", "Báo in, báo điện tử"
    RADIO = "radio", "Phát thanh"
    TV = "tv", "Truyền hình"


class Frame(models.Model):
    """The agency's own rules (quy chế nhuận bút) beyond genres and unit values."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="royalty_frame", verbose_name="cơ quan"
    )
    monthly_fund = models.DecimalField(
        "quỹ nhuận bút mỗi tháng (đ)",
        max_digits=14,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0)],
    )
    tax_rate = models.DecimalField(
        "thuế thu nhập cá nhân khấu trừ (%)",
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    tax_threshold = models.DecimalField(
        "khấu trừ thuế khi tổng tháng của một người từ (đ)",
        max_digits=14,
        decimal_places=0,
        default=2_000_000,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = "quy chế nhuận bút"
        verbose_name_plural = "quy chế nhuận bút"

    def __str__(self):
        return f"Quy chế nhuận bút — {self.agency}"


class UnitValue(models.Model):
    """Giá trị một đơn vị hệ số nhuận bút, from a date: a share of the base salary."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="royalty_unit_values", verbose_name="cơ quan"
    )
    effective_from = models.DateField("áp dụng từ ngày")
    base_salary = models.DecimalField(
        "mức lương cơ sở (đ)",
        max_digits=14,
        decimal_places=0,
        default=BASE_SALARY,
        validators=[MinValueValidator(1)],
    )
    share_percent = models.DecimalField(
        "tỉ lệ so với lương cơ sở (%)",
        max_digits=5,
        decimal_places=2,
        default=UNIT_SHARE_PERCENT,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )
    basis = models.CharField("căn cứ", max_length=200, blank=True)

    class Meta:
        ordering = ["agency", "-effective_from"]
        verbose_name = "giá trị đơn vị hệ số"
        verbose_name_plural = "giá trị đơn vị hệ số"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "effective_from"],
                name="one_unit_value_per_agency_day",
                violation_error_message="Cơ quan đã có giá trị đơn vị hệ số áp dụng từ ngày này.",
            )
        ]

    def __str__(self):
        return f"{self.agency}: {self.value} đ từ {self.effective_from:%d/%m/%Y}"

    @property
    def value(self) -> Decimal:
        return dong(self.base_salary * self.share_percent / 100)


class Genre(models.Model):
    """Thể loại with the coefficient range the agency allows (within the decree's frame)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="royalty_genres", verbose_name="cơ quan"
    )
    medium = models.CharField("loại hình", max_length=8, choices=Medium.choices)
    name = models.CharField("thể loại", max_length=120)
    min_coefficient = models.DecimalField(
        "hệ số tối thiểu",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_coefficient = models.DecimalField("hệ số tối đa", max_digits=6, decimal_places=2)
    sort_order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["agency", "medium", "sort_order", "name"]
        verbose_name = "thể loại nhuận bút"
        verbose_name_plural = "thể loại nhuận bút"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "medium", "name"],
                name="one_genre_name_per_agency_medium",
                violation_error_message="Cơ quan đã có thể loại này.",
            ),
            models.CheckConstraint(
                condition=models.Q(min_coefficient__gt=0)
                & models.Q(max_coefficient__gte=models.F("min_coefficient")),
                name="genre_range_valid",
                violation_error_message="Hệ số tối đa phải từ hệ số tối thiểu trở lên.",
            ),
        ]

    def __str__(self):
        low, high = self.min_coefficient.normalize(), self.max_coefficient.normalize()
        return f"{self.get_medium_display()} — {self.name} ({low:f}–{high:f})"


class Extra(models.Model):
    """Hệ số tăng thêm (or reduced, for a reused work), as a percentage of the royalty."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="royalty_extras", verbose_name="cơ quan"
    )
    name = models.CharField("tên", max_length=160)
    percent = models.DecimalField(
        "tăng (+) / giảm (−) so với nhuận bút (%)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = "hệ số tăng thêm"
        verbose_name_plural = "hệ số tăng thêm"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="one_extra_name_per_agency",
                violation_error_message="Cơ quan đã có hệ số tăng thêm này.",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gte=-100) & models.Q(percent__lte=100),
                name="extra_percent_range",
                violation_error_message="Tỉ lệ tăng thêm phải trong khoảng −100% đến +100%.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.percent.normalize():+f}%)"


class MonthStatus(models.TextChoices):
    OPEN = "open", "Đang chấm"
    LOCKED = "locked", "Đã khóa"


class RoyaltyMonth(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="royalty_months", verbose_name="cơ quan"
    )
    month = models.DateField("tháng")  # its first day
    fund = models.DecimalField("quỹ nhuận bút (đ)", max_digits=14, decimal_places=0, default=0)
    status = models.CharField(
        "trạng thái", max_length=8, choices=MonthStatus.choices, default=MonthStatus.OPEN
    )
    locked_at = models.DateTimeField("khóa lúc", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người khóa",
    )

    class Meta:
        ordering = ["agency", "-month"]
        verbose_name = "tháng nhuận bút"
        verbose_name_plural = "tháng nhuận bút"
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="one_royalty_month"),
        ]

    def __str__(self):
        return f"{self.agency} — tháng {self.month:%m/%Y}"

    @property
    def locked(self) -> bool:
        return self.status == MonthStatus.LOCKED


class ContributorRole(models.TextChoices):
    WRITER = "writer", "Tác giả (viết)"
    PHOTO = "photo", "Ảnh"
    GRAPHICS = "graphics", "Tranh, đồ họa"
    CAMERA = "camera", "Quay phim"
    EDITOR = "editor", "Biên tập"
    VOICE = "voice", "Đọc, lồng tiếng"


class GradeStatus(models.TextChoices):
    PROPOSED = "proposed", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"


class Grade(models.Model):
    """One contribution to one published work (the writing, the photos, the camera...),
    graded with a genre and a coefficient; its amount is split among the shares."""

    month = models.ForeignKey(
        RoyaltyMonth, on_delete=models.PROTECT, related_name="grades", verbose_name="tháng"
    )
    story = models.ForeignKey(
        StoryPage, on_delete=models.PROTECT, related_name="royalty_grades", verbose_name="tác phẩm"
    )
    role = models.CharField("phần việc", max_length=10, choices=ContributorRole.choices)
    genre = models.ForeignKey(Genre, on_delete=models.PROTECT, verbose_name="thể loại")
    coefficient = models.DecimalField("hệ số", max_digits=6, decimal_places=2)
    extras = models.ManyToManyField(Extra, blank=True, verbose_name="hệ số tăng thêm")
    extra_percent = models.DecimalField("tăng thêm (%)", max_digits=6, decimal_places=2, default=0)
    reused_from = models.CharField("sử dụng lại của (cơ quan gốc)", max_length=200, blank=True)
    unit_value = models.DecimalField("giá trị đơn vị hệ số (đ)", max_digits=14, decimal_places=0)
    amount = models.DecimalField("thành tiền (đ)", max_digits=14, decimal_places=0)
    status = models.CharField(
        "trạng thái", max_length=10, choices=GradeStatus.choices, default=GradeStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_genre = models.ForeignKey(
        Genre, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_coefficient = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    change_reason = models.TextField("lý do thay đổi", blank=True)

    class Meta:
        ordering = ["month", "story_id", "role"]
        verbose_name = "chấm nhuận bút"
        verbose_name_plural = "chấm nhuận bút"
        constraints = [
            models.UniqueConstraint(fields=["story", "role"], name="one_grade_per_story_role"),
        ]

    def __str__(self):
        return f"{self.story.title} — {self.get_role_display()}"

    @property
    def current_amount(self) -> Decimal:
        """The amount after every dated adjustment (from the prefetched adjustments when the
        month's sheet has them: no query per grade)."""
        last = max(self.adjustments.all(), key=lambda a: (a.made_at, a.pk), default=None)
        return last.amount_after if last else self.amount


class Share(models.Model):
    """A co-author's share of one grade: a staff account or a collaborator from outside."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="royalty_shares",
        verbose_name="người hưởng",
    )
    external_name = models.CharField("cộng tác viên ngoài cơ quan", max_length=160, blank=True)
    percent = models.DecimalField("tỉ lệ (%)", max_digits=5, decimal_places=2)
    amount = models.DecimalField("thành tiền (đ)", max_digits=14, decimal_places=0)

    class Meta:
        ordering = ["grade", "pk"]
        verbose_name = "phần chia nhuận bút"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(external_name=""))
                | (models.Q(user__isnull=True) & ~models.Q(external_name="")),
                name="share_one_person",
            ),
        ]

    def __str__(self):
        return f"{self.person_name}: {self.percent.normalize():f}%"

    @property
    def person_key(self) -> str:
        return f"u{self.user_id}" if self.user_id else f"x:{self.external_name}"

    @property
    def person_name(self) -> str:
        if self.user_id:  # family name first, as Vietnamese write it (Trần Minh Anh)
            name = f"{self.user.last_name} {self.user.first_name}".strip()
            return name or self.user.get_username()
        return f"{self.external_name} (cộng tác viên)"


class Adjustment(models.Model):
    """A correction to a grade of a locked month: dated, with its reason; paid (or taken
    back) in the month of its date."""

    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="adjustments")
    made_on = models.DateField("ngày điều chỉnh")
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    genre = models.ForeignKey(Genre, on_delete=models.PROTECT, related_name="+")
    coefficient = models.DecimalField("hệ số mới", max_digits=6, decimal_places=2)
    amount_before = models.DecimalField(max_digits=14, decimal_places=0)
    amount_after = models.DecimalField(max_digits=14, decimal_places=0)
    reason = models.TextField("lý do")

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = "điều chỉnh nhuận bút"
        verbose_name_plural = "điều chỉnh nhuận bút"

    def __str__(self):
        return f"Điều chỉnh {self.made_on:%d/%m/%Y}: {self.grade}"

    @property
    def delta(self) -> Decimal:
        return self.amount_after - self.amount_before


class AccountingGroup(models.Model):
    """The agency's accounting staff ("Kế toán — <agency>"): they download the month's
    statements; they grade nothing."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="accounting_group", verbose_name="cơ quan"
    )
    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="accounting_of", verbose_name="nhóm"
    )

    class Meta:
        verbose_name = "nhóm kế toán"

    def __str__(self):
        return self.group.name
