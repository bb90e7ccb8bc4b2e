"""Nhật ký thao tác: the administrator searches and exports the audit log."""

import csv
import io

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from newsroom.models import Agency

from .models import AuditEntry

EXPORT_LIMIT = 100_000
COLUMNS = [
    "Lúc",
    "Người thực hiện",
    "Thao tác",
    "Mã thao tác",
    "Đối tượng",
    "Loại đối tượng",
    "Mã đối tượng",
    "Cơ quan",
    "Địa chỉ IP",
    "Thiết bị",
    "Đường dẫn",
    "Chi tiết",
]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class AuditFilterForm(forms.Form):
    nguoi = forms.CharField(label="Người thực hiện", required=False, max_length=150)
    thao_tac = forms.CharField(label="Thao tác", required=False, max_length=100)
    tu_ngay = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "ví dụ 05/03/2026"}),
        error_messages={"invalid": "Ngày không hợp lệ; hãy ghi ngày/tháng/năm, ví dụ 05/03/2026."},
    )
    den_ngay = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "ví dụ 05/03/2026"}),
        error_messages={"invalid": "Ngày không hợp lệ; hãy ghi ngày/tháng/năm, ví dụ 05/03/2026."},
    )
    co_quan = forms.ModelChoiceField(
        label="Cơ quan",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Tất cả",
        error_messages={"invalid_choice": "Không có cơ quan này."},
    )
    doi_tuong = forms.CharField(label="Đối tượng", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            raise forms.ValidationError("«Từ ngày» phải trước hoặc bằng «Đến ngày».")
        return data

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("nguoi"):
            qs = qs.filter(actor_name__icontains=data["nguoi"])
        if data.get("thao_tac"):
            term = data["thao_tac"]
            qs = qs.filter(Q(action__icontains=term) | Q(label__icontains=term))
        if data.get("tu_ngay"):
            qs = qs.filter(created_at__date__gte=data["tu_ngay"])
        if data.get("den_ngay"):
            qs = qs.filter(created_at__date__lte=data["den_ngay"])
        if data.get("co_quan"):
            qs = qs.filter(agency=data["co_quan"])
        if data.get("doi_tuong"):
            term = data["doi_tuong"]
            qs = qs.filter(
                Q(object_repr__icontains=term) | Q(object_type__icontains=term) | Q(object_id=term)
            )
        return qs


def _row(entry: AuditEntry) -> list:
    return [
        timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M:%S"),
        entry.actor_name,
        entry.label,
        entry.action,
        entry.object_repr,
        entry.object_type,
        entry.object_id,
        entry.agency.name if entry.agency_id and entry.agency else "",
        entry.ip_address or "",
        entry.user_agent,
        entry.path,
        str(entry.data) if entry.data else "",
    ]


def _export(entries, fmt: str) -> HttpResponse:
    rows = (_row(e) for e in entries[:EXPORT_LIMIT])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        content = ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Nhật ký thao tác")
        ws.append(COLUMNS)
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        content = buffer.getvalue()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"nhat-ky-thao-tac-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report(request):
    """Only the platform administrator: the log names every staff member's actions."""
    if not request.user.is_superuser:
        # A plain 403 (not Wagtail's redirect to the dashboard): nothing of it is shown.
        return render(
            request,
            "audit/forbidden.html",
            {"page_title": "Nhật ký thao tác"},
            status=403,
        )
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("agency")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    fmt = request.GET.get("xuat")
    if fmt in CONTENT_TYPES and not form.errors:
        return _export(entries, fmt)
    page = Paginator(entries, 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    query.pop("xuat", None)
    return render(
        request,
        "audit/report.html",
        {
            "page_title": "Nhật ký thao tác",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "formats": list(CONTENT_TYPES),
        },
    )
