"""A month's royalty statement for accounting: XLSX (amounts as numbers, one sheet of
lines and one of totals per person) and PDF (DejaVu Sans, amounts as 1.234.567 đ)."""

import io

from django.utils import timezone

from analytics.reports import _register_fonts
from analytics.templatetags.vn_numbers import format_number, format_vnd

from .selectors import Statement
from .services import num

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
HEADER = [
    "STT",
    "Người hưởng",
    "Tác phẩm",
    "Ngày đăng",
    "Thể loại",
    "Phần việc",
    "Hệ số",
    "Tăng thêm (%)",
    "Tỉ lệ chia (%)",
    "Thành tiền (đ)",
    "Khoản",
    "Ghi chú",
]
TOTALS_HEADER = ["Người hưởng", "Tổng nhuận bút (đ)", "Thuế TNCN khấu trừ (đ)", "Thực nhận (đ)"]
VND_FORMAT = '#,##0 "đ"'


def title(st: Statement, person: str = "") -> str:
    who = f" — {person}" if person else ""
    return f"Bảng kê nhuận bút tháng {st.month:%m/%Y}{who}"


def preamble(st: Statement) -> list[str]:
    rate = format_number(st.frame.tax_rate, 0 if st.frame.tax_rate == int(st.frame.tax_rate) else 2)
    return [
        f"Cơ quan: {st.agency.name}",
        f"Thuế thu nhập cá nhân khấu trừ {rate}% khi tổng tháng của một người từ "
        f"{format_vnd(st.frame.tax_threshold)}.",
        f"Lập lúc: {timezone.localtime():%d/%m/%Y %H:%M}",
    ]


def _cells(index, line):
    return [
        index,
        line.person,
        line.story,
        timezone.localtime(line.published).strftime("%d/%m/%Y"),
        line.genre,
        line.role,
        float(line.coefficient),
        float(line.extra_percent),
        float(line.percent),
        int(line.amount),
        line.kind,
        line.note,
    ]


def to_xlsx(st: Statement, person: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"Bảng kê {st.month:%m-%Y}"
    ws.append([title(st, person)])
    ws["A1"].font = Font(bold=True, size=13)
    for line in preamble(st):
        ws.append([line])
    ws.append(HEADER)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, line in enumerate(st.lines, start=1):
        ws.append(_cells(index, line))
        ws.cell(ws.max_row, 10).number_format = VND_FORMAT
    ws.append(["", "Tổng cộng", "", "", "", "", "", "", "", int(st.gross)])
    ws.cell(ws.max_row, 10).number_format = VND_FORMAT
    ws.cell(ws.max_row, 2).font = Font(bold=True)
    for col, width in zip(
        "ABCDEFGHIJKL", (5, 26, 50, 11, 28, 16, 7, 9, 9, 15, 22, 40), strict=True
    ):
        ws.column_dimensions[col].width = width
    totals = wb.create_sheet("Tổng hợp")
    totals.append(TOTALS_HEADER)
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for p in st.people:
        totals.append([p.person, int(p.gross), int(p.tax), int(p.net)])
    totals.append(["Tổng cộng", int(st.gross), int(st.tax), int(st.net)])
    totals.cell(totals.max_row, 1).font = Font(bold=True)
    for row in totals.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = VND_FORMAT
    for col, width in zip("ABCD", (30, 20, 22, 20), strict=True):
        totals.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(st: Statement, person: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=7.5, leading=9.5)
    right = ParagraphStyle("right", parent=body, alignment=2)
    bold = ParagraphStyle("bold", parent=body, fontName="DejaVuSans-Bold")
    bold_right = ParagraphStyle("boldr", parent=bold, alignment=2)
    heading = ParagraphStyle("title", parent=bold, fontSize=13, leading=16, alignment=1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        title=title(st, person),
    )
    story = [Paragraph(title(st, person), heading), Spacer(1, 3 * mm)]
    story += [Paragraph(line, body) for line in preamble(st)]
    story.append(Spacer(1, 3 * mm))
    data = [[Paragraph(h, bold) for h in HEADER[:10]] + [Paragraph("Khoản, ghi chú", bold)]]
    for index, line in enumerate(st.lines, start=1):
        cells = _cells(index, line)
        data.append(
            [Paragraph(str(c), body) for c in cells[:6]]
            + [
                Paragraph(num(line.coefficient), right),
                Paragraph(format_number(line.extra_percent), right),
                Paragraph(num(line.percent), right),
                Paragraph(format_vnd(line.amount), right),
                Paragraph(" — ".join(x for x in (line.kind, line.note) if x), body),
            ]
        )
    data.append(
        [Paragraph("", body), Paragraph("Tổng cộng", bold)]
        + [Paragraph("", body)] * 7
        + [Paragraph(format_vnd(st.gross), bold_right), Paragraph("", body)]
    )
    widths = [8, 34, 64, 17, 34, 20, 12, 13, 13, 24, 38]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
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
    story.append(Spacer(1, 5 * mm))
    totals = [[Paragraph(h, bold) for h in TOTALS_HEADER]]
    for p in st.people:
        totals.append(
            [Paragraph(p.person, body)]
            + [Paragraph(format_vnd(v), right) for v in (p.gross, p.tax, p.net)]
        )
    totals.append(
        [Paragraph("Tổng cộng", bold)]
        + [Paragraph(format_vnd(v), bold_right) for v in (st.gross, st.tax, st.net)]
    )
    table = Table(totals, colWidths=[70 * mm, 40 * mm, 40 * mm, 40 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story.append(table)
    doc.build(story)
    return out.getvalue()


def render(st: Statement, fmt: str, person: str = "") -> bytes:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")
    return {"xlsx": to_xlsx, "pdf": to_pdf}[fmt](st, person)
