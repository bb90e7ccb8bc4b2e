"""Seeds the 166 commune-level units of Thanh Hóa from the national register."""

from django.db import migrations

# Communes of the western highland districts before the 2025 reform (Mường Lát, Quan Sơn,
# Quan Hóa, Bá Thước, Lang Chánh, Thường Xuân, Như Xuân, Như Thanh, Cẩm Thủy, Ngọc Lặc,
# Thạch Thành): a sensible default that the admin list can correct commune by commune.
# Border communes: those on the Laos border (Mường Lát, Quan Sơn, Quan Hóa, Lang Chánh,
# Thường Xuân).
BORDER_NAMES = {
    "Mường Lát", "Pù Nhi", "Nhi Sơn", "Mường Chanh", "Quang Chiểu", "Tam Chung", "Mường Lý",
    "Trung Lý", "Na Mèo", "Sơn Thủy", "Mường Mìn", "Tam Thanh", "Trung Hạ", "Quan Sơn",
    "Sơn Điện", "Trung Thành", "Phú Lệ", "Phú Xuân", "Hiền Kiệt", "Trung Sơn", "Yên Khương",
    "Bát Mọt", "Yên Nhân", "Vạn Xuân", "Xuân Chinh", "Tam Lư",
}
MOUNTAIN_NAMES = BORDER_NAMES | {
    "Hồi Xuân", "Nam Xuân", "Thiên Phủ", "Phú Sơn", "Linh Sơn", "Giao An", "Đồng Lương",
    "Lang Chánh", "Văn Phú", "Bá Thước", "Thiết Ống", "Văn Nho", "Điền Quang", "Điền Lư",
    "Quý Lương", "Pù Luông", "Cổ Lũng", "Thường Xuân", "Luận Thành", "Tân Thành",
    "Thắng Lộc", "Xuân Du", "Như Xuân", "Thượng Ninh", "Xuân Bình", "Hóa Quỳ", "Thanh Phong",
    "Thanh Quân", "Xuân Thái", "Như Thanh", "Thanh Kỳ", "Mậu Lâm", "Yên Thọ", "Cẩm Thủy",
    "Cẩm Thạch", "Cẩm Tú", "Cẩm Vân", "Cẩm Tân", "Ngọc Lặc", "Thạch Lập", "Ngọc Liên",
    "Minh Sơn", "Nguyệt Ấn", "Kiên Thọ", "Thạch Thành", "Thành Vinh", "Ngọc Trạo",
    "Thạch Quảng", "Vân Du", "Thành Minh", "Kim Tân",
}


def seed(apps, schema_editor):
    from vietnam_provinces import Ward

    Place = apps.get_model("newsroom", "Place")
    for ward in Ward.iter_all():
        if int(ward.province_code) != 38:
            continue
        division = ward.division_type.value
        kind = {"phường": "ward", "xã": "commune"}.get(division, "special_zone")
        short = ward.name.split(" ", 1)[1] if " " in ward.name else ward.name
        mountainous = kind == "commune" and short in MOUNTAIN_NAMES
        Place.objects.update_or_create(
            code=int(ward.code),
            defaults={
                "name": ward.name,
                "kind": kind,
                "is_mountainous": mountainous,
                "is_remote": mountainous,
                "is_border": kind == "commune" and short in BORDER_NAMES,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
