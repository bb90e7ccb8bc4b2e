"""The yearly report for the department, laid out like the plan's appendix: indicator,
unit, target, result, met / not met, notes on data gaps. XLSX, PDF and CSV."""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .selectors import YearReport, year_report

FORMATS = ("xlsx", "pdf", "csv")
HEADER = ["STT", "Chỉ tiêu", "Đơn vị đo lường", "Kế hoạch", "Kết quả", "Đánh giá", "Ghi chú"]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _title(report: YearReport) -> str:
    return f"Báo cáo kết quả thực hiện chỉ tiêu chuyển đổi số báo chí năm {report.year}"


def _rows(report: YearReport) -> list[list[str]]:
    return [
        [
            r.number,
            r.name,
            r.unit,
            r.target_label or "—",
            r.value_label,
            r.met_label,
            " ".join(r.notes),
        ]
        for r in report.results
    ]


def _preamble(report: YearReport) -> list[str]:
    recipient = settings.HOITU_REPORT_RECIPIENT
    lines = [
        _title(report),
        f"Đơn vị báo cáo: {report.scope}",
        f"Kính gửi: {recipient['name']} ({recipient['address']})",
        f"Lập lúc: {timezone.localtime():%d/%m/%Y %H:%M}",
    ]
    if not report.has_data:
        lines.append(f"Năm {report.year} chưa có số liệu: không có chỉ tiêu nào tính được.")
    return lines


def to_csv(report: YearReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _preamble(report):
        writer.writerow([line])
    writer.writerow(HEADER)
    writer.writerows(_rows(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(report: YearReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"Chỉ tiêu {report.year}"
    for line in _preamble(report):
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(HEADER)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        ws.append(row)
    for col, width in zip("ABCDEFG", (6, 50, 28, 14, 22, 12, 60), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _register_fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def to_pdf(report: YearReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=8, leading=10)
    bold = ParagraphStyle("bold", parent=body, fontName="DejaVuSans-Bold")
    title = ParagraphStyle("title", parent=bold, fontSize=13, leading=16, alignment=1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, title=_title(report)
    )
    lines = _preamble(report)
    story = [Paragraph(lines[0], title), Spacer(1, 4 * mm)]
    story += [Paragraph(line, body) for line in lines[1:]]
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(h, bold) for h in HEADER]]
    data += [[Paragraph(cell, body) for cell in row] for row in _rows(report)]
    widths = [10 * mm, 70 * mm, 40 * mm, 22 * mm, 30 * mm, 18 * mm, 83 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return out.getvalue()


def render(report: YearReport, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return {"xlsx": to_xlsx, "pdf": to_pdf, "csv": to_csv}[fmt](report)


def export_bytes(*, year: int, agency=None, fmt: str) -> bytes:
    return render(year_report(year=year, agency=agency), fmt)


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
