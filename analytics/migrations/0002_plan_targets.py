"""The plan's targets: the appendix of Kế hoạch chuyển đổi số báo chí Thanh Hóa (2023,
2024, 2025) and its goals for 2025 and 2030 (section 2). Values are percentages."""

from django.db import migrations

APPENDIX = "Phụ lục Kế hoạch (chỉ tiêu theo từng năm)"
GOALS_2025 = "Mục tiêu đến năm 2025 (mục 2.1)"
GOALS_2030 = "Mục tiêu đến năm 2030 (mục 2.2)"

TARGETS = [
    # indicator, year, value, label, source
    ("urban_rural", 2023, 65, "65%/35%", APPENDIX),
    ("urban_rural", 2024, 62, "62%/38%", APPENDIX),
    ("urban_rural", 2025, 60, "60%/40%", APPENDIX),
    ("remote_reach", 2023, 80, "80%", APPENDIX),
    ("remote_reach", 2024, 92, "92%", APPENDIX),
    ("remote_reach", 2025, 100, "100%", APPENDIX),
    ("political_growth", 2023, 10, "tăng 10%", APPENDIX),
    ("political_growth", 2024, 15, "tăng 15%", APPENDIX),
    ("political_growth", 2025, 20, "tăng 20%", APPENDIX),
    ("political_growth_2020", 2025, 20, "tăng khoảng 20% so với 2020", GOALS_2025),
    ("autonomy_share", 2023, 20, "20%", APPENDIX),
    ("autonomy_share", 2024, 20, "20%", APPENDIX),
    ("autonomy_share", 2025, 40, "40%", APPENDIX),
    ("converged_share", 2023, 30, "30%", APPENDIX),
    ("converged_share", 2024, 40, "40%", APPENDIX),
    ("converged_share", 2025, 40, "40%", APPENDIX),
    ("converged_share", 2030, 100, "cả 3 cơ quan", GOALS_2030),
    ("revenue_growth", 2023, 10, "tăng 10%", APPENDIX),
    ("revenue_growth", 2024, 15, "tăng 15%", APPENDIX),
    ("revenue_growth", 2025, 20, "tăng tối thiểu 20%", APPENDIX),
    ("revenue_growth", 2030, 20, "tăng tối thiểu 20%", GOALS_2030),
    ("training_share", 2025, 100, "100%", GOALS_2025),
]


def load(apps, schema_editor):
    IndicatorTarget = apps.get_model("analytics", "IndicatorTarget")
    for indicator, year, value, label, source in TARGETS:
        IndicatorTarget.objects.update_or_create(
            indicator=indicator,
            year=year,
            defaults={"value": value, "label": label, "source": source},
        )


def unload(apps, schema_editor):
    apps.get_model("analytics", "IndicatorTarget").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_audience_indicators_portal")]
    operations = [migrations.RunPython(load, unload)]
