import csv
import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_xlsx_export_reads_back_like_the_appendix(demo, tmp_path, settings):
    settings.HOITU_REPORT_RECIPIENT = {"name": "Sở Văn hóa, Thể thao và Du lịch", "address": "TH"}
    out = tmp_path / "report.xlsx"
    call_command("export_indicators", year=2025, format="xlsx", output=str(out))
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    flat = " ".join(str(v) for row in rows for v in row if v)
    assert "Kính gửi: Sở Văn hóa, Thể thao và Du lịch" in flat
    header = rows.index(
        ["STT", "Chỉ tiêu", "Đơn vị đo lường", "Kế hoạch", "Kết quả", "Đánh giá", "Ghi chú"]
    )
    body = rows[header + 1 :]
    by_number = {r[0]: r for r in body}
    assert set(by_number) >= {"1", "2", "3", "4", "5", "6"}
    assert by_number["1"][3] == "60%/40%"
    assert by_number["4"][3] == "40%"
    # The demo's 2025 statuses: Báo Thanh Hóa and the station commissioned, of three.
    assert by_number["4"][4].startswith("66,7% (2/3")
    assert by_number["4"][5] == "Đạt"
    assert by_number["6"][5] in ("Đạt", "Chưa đạt")


def test_pdf_export_has_vietnamese_text(demo, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "export_indicators", year=2025, format="pdf", output=str(out), agency="baothanhhoa"
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Báo cáo kết quả thực hiện chỉ tiêu chuyển đổi số báo chí năm 2025" in text
    assert "Báo Thanh Hóa" in text
    assert "tòa soạn hội tụ" in text


def test_csv_export_and_a_year_without_data(demo, tmp_path):
    out = tmp_path / "r.csv"
    err = io.StringIO()
    call_command("export_indicators", year=2012, format="csv", output=str(out), stderr=err)
    assert "No data recorded for 2012" in err.getvalue()
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert ["Năm 2012 chưa có số liệu: không có chỉ tiêu nào tính được."] in rows
    results = [r for r in rows if len(r) == 7][1:]
    assert results and all(r[4] == "Chưa có số liệu" for r in results)
    assert not any(r[4] in ("0", "0%", "0,0%") for r in results)


def test_export_refuses_unknown_agency_and_year(demo, tmp_path):
    with pytest.raises(CommandError, match="Unknown agency 'khong-co'"):
        call_command("export_indicators", year=2025, output=str(tmp_path / "x"), agency="khong-co")
    with pytest.raises(CommandError, match="out of range"):
        call_command("export_indicators", year=1800, output=str(tmp_path / "x"))
