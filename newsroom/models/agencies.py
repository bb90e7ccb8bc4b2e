from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from wagtail.models import Site


class Agency(models.Model):
    """Cơ quan báo chí: the legal entity the plan counts. Owns one or more outlets."""

    name = models.CharField("tên cơ quan", max_length=200, unique=True)
    short_name = models.CharField("tên viết tắt", max_length=60, blank=True)
    slug = models.SlugField("mã", max_length=40, unique=True)
    licence_number = models.CharField("số giấy phép", max_length=60)
    licence_date = models.DateField("ngày cấp phép")
    licence_issuer = models.CharField("cơ quan cấp phép", max_length=200)
    governing_body = models.CharField("cơ quan chủ quản", max_length=200)
    address = models.CharField("địa chỉ", max_length=300)
    phone = models.CharField("điện thoại", max_length=60, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    editor_in_chief = models.CharField("tổng biên tập (họ và tên)", max_length=120)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="đã sáp nhập vào",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_agencies",
    )
    merged_on = models.DateField("ngày sáp nhập", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "cơ quan báo chí"
        verbose_name_plural = "cơ quan báo chí"

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.merged_into_id is None


class OutletKind(models.TextChoices):
    NEWSPAPER = "newspaper", "Báo điện tử"
    BROADCAST = "broadcast", "Phát thanh - Truyền hình"
    MAGAZINE = "magazine", "Tạp chí"


class Outlet(models.Model):
    """Một ấn phẩm / kênh: one Wagtail Site of an agency, with its own home page."""

    site = models.OneToOneField(
        Site, on_delete=models.PROTECT, related_name="outlet", verbose_name="trang web"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="outlets", verbose_name="cơ quan báo chí"
    )
    name = models.CharField("tên ấn phẩm", max_length=200)
    kind = models.CharField("loại hình", max_length=16, choices=OutletKind.choices)
    tagline = models.CharField("khẩu hiệu", max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "ấn phẩm"
        verbose_name_plural = "ấn phẩm"

    def __str__(self):
        return self.name


class OutletOwnership(models.Model):
    """Which agency owned an outlet and when; a merger closes one row and opens another,
    so a past year's indicators count the agencies as they stood that year."""

    outlet = models.ForeignKey(
        Outlet, on_delete=models.CASCADE, related_name="ownerships", verbose_name="ấn phẩm"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="ownerships", verbose_name="cơ quan báo chí"
    )
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)

    class Meta:
        ordering = ["outlet", "valid_from"]
        verbose_name = "lịch sử chủ quản ấn phẩm"
        constraints = [
            models.UniqueConstraint(
                fields=["outlet"],
                condition=models.Q(valid_to__isnull=True),
                name="one_current_owner_per_outlet",
            )
        ]

    def __str__(self):
        return f"{self.outlet} — {self.agency} ({self.valid_from}–{self.valid_to or ''})"


class Role(models.TextChoices):
    REPORTER = "reporter", "Phóng viên"
    DESK_EDITOR = "desk_editor", "Biên tập viên"
    MANAGING_EDITOR = "managing_editor", "Thư ký tòa soạn"
    EDITOR_IN_CHIEF = "editor_in_chief", "Tổng biên tập"
    ADMIN = "admin", "Quản trị"


class AgencyRole(models.Model):
    """Ties a Django group to one role in one agency: the groups are the roles,
    scoped per agency (\"Phóng viên — Báo Thanh Hóa\")."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="agency_role", verbose_name="nhóm người dùng"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="roles", verbose_name="cơ quan báo chí"
    )
    role = models.CharField(max_length=20, choices=Role.choices, verbose_name="vai trò")

    class Meta:
        verbose_name = "vai trò trong cơ quan"
        constraints = [
            models.UniqueConstraint(fields=["agency", "role"], name="one_group_per_agency_role")
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.agency}"


# The department officer (Sở TT&TT) reads every agency; one group, not per agency.
DEPARTMENT_OFFICER_GROUP = "Cán bộ Sở (chỉ xem)"


class StaffProfile(models.Model):
    """Public byline data for a staff member, kept apart from the login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name="tài khoản",
    )
    slug = models.SlugField("đường dẫn trang tác giả", max_length=80, unique=True)
    bio = models.TextField("giới thiệu", blank=True)

    class Meta:
        verbose_name = "hồ sơ tác giả"

    def __str__(self):
        return self.user.get_full_name() or self.slug
