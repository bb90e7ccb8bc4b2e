from django.db import models


class PlaceKind(models.TextChoices):
    WARD = "ward", "Phường"
    COMMUNE = "commune", "Xã"
    SPECIAL_ZONE = "special_zone", "Đặc khu"


class Place(models.Model):
    """A commune-level unit of Thanh Hóa (phường / xã), from the national register
    (`vietnam-provinces`). Wards count as urban, communes as rural; a commune can also be
    marked mountainous, remote or border, which the plan's indicators read."""

    code = models.PositiveIntegerField("mã đơn vị hành chính", unique=True)
    name = models.CharField("tên", max_length=120)
    kind = models.CharField("loại", max_length=16, choices=PlaceKind.choices)
    is_mountainous = models.BooleanField("miền núi", default=False)
    is_remote = models.BooleanField("vùng sâu, vùng xa", default=False)
    is_border = models.BooleanField("biên giới", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "địa bàn (xã/phường)"
        verbose_name_plural = "địa bàn (xã/phường)"

    def __str__(self):
        return self.name

    @property
    def is_urban(self) -> bool:
        return self.kind == PlaceKind.WARD
