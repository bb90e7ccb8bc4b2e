"""Admin screens: dashboards (editor-in-chief, reporter), the plan's indicators with the
report exports, the IP table upload, and the department officer's portal."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from newsroom.models import Agency, PrimaryFormat, Role
from newsroom.selectors import user_agencies, user_is_department_officer, user_roles

from .. import selectors, services
from ..models import (
    Channel,
    Dimension,
    GuidanceDocument,
    GuidanceReceipt,
    IpRange,
    ReportStatus,
    YearlyReport,
)
from ..reports import CONTENT_TYPES, FORMATS
from ..reports import render as render_report

LEADERS = {Role.EDITOR_IN_CHIEF, Role.MANAGING_EDITOR, Role.ADMIN}
# Labels as the models name them (the story's format, the event's channel).
FORMAT_LABELS = dict(PrimaryFormat.choices) | {selectors.LISTEN_GROUP: selectors.LISTEN_LABEL}
CHANNEL_LABELS = dict(Channel.choices)
MONTHS = [f"T{m}" for m in range(1, 13)]
PRODUCTION_GROUPINGS = {
    "flag": "Theo nhiệm vụ",
    "format": "Theo loại hình",
    "section": "Theo chuyên mục (ban)",
    "author": "Theo phóng viên",
}


def _year(request) -> int:
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404("Năm không hợp lệ.")
    return year


def _is_leader(user, agency) -> bool:
    return (
        user.is_superuser
        or user_is_department_officer(user)
        or bool(user_roles(user, agency) & LEADERS)
    )


def _agency_choice(request, *, allow_province: bool):
    """The agency asked for (?co-quan=slug) among the user's agencies; None = province."""
    agencies = user_agencies(request.user)
    slug = request.GET.get("co-quan", "")
    if slug:
        agency = agencies.filter(slug=slug).first()
        if agency is None:
            raise PermissionDenied("Bạn không xem được số liệu của cơ quan này.")
        return agency, agencies
    if allow_province and (request.user.is_superuser or user_is_department_officer(request.user)):
        return None, agencies
    agency = agencies.first()
    if agency is None:
        raise PermissionDenied("Tài khoản chưa thuộc cơ quan báo chí nào.")
    return agency, agencies


def _chart(kind, labels, datasets, *, unit: str = "", **options) -> dict:
    """A Chart.js config for dashboard.js; `unit` ("vnd", "hours") picks how its axis and
    tooltips write the values (300.000 đ, 12,5 giờ)."""
    chart = {"type": kind, "data": {"labels": labels, "datasets": datasets}, "options": options}
    if unit:
        chart["unit"] = unit
    return chart


def dashboard(request):
    """Bảng điều khiển của tổng biên tập."""
    year = _year(request)
    agency, agencies = _agency_choice(request, allow_province=True)
    if agency is not None and not _is_leader(request.user, agency):
        return redirect("analytics_admin:mine")
    period = "week" if request.GET.get("ky") == "tuan" else "month"
    output = selectors.production_counts(year=year, agency=agency, by="format", period=period)
    if period == "month":
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        period_labels = MONTHS
    else:
        last_week = datetime.date(year, 12, 28).isocalendar().week
        months = [f"{year}-W{w:02d}" for w in range(1, last_week + 1)]
        period_labels = [f"Tuần {w}" for w in range(1, last_week + 1)]
    audience_months = selectors.audience_by_month(year=year, agency=agency)
    places = selectors.place_classes(
        selectors.audience(year=year, agency=agency, dimension=Dimension.PLACE)
    )
    channels = selectors.audience(year=year, agency=agency, dimension=Dimension.CHANNEL)
    story_audience = selectors.audience(year=year, agency=agency, dimension=Dimension.STORY)
    titles = {s["pk"]: s["title"] for s in _story_titles(story_audience)}
    top = sorted(story_audience.items(), key=lambda kv: -kv[1]["pageviews"])[:10]
    revenue = selectors.digital_revenue(year=year, agency=agency)
    growths = selectors.production_growths(year=year, agency=agency, bys=list(PRODUCTION_GROUPINGS))
    total = selectors.audience(year=year, agency=agency).get("all", {})
    charts = {
        "output": _chart(
            "bar",
            period_labels,
            [
                {"label": FORMAT_LABELS.get(fmt, fmt), "data": [c[m] for m in months]}
                for fmt, c in sorted(output.items())
            ],
            scales={"x": {"stacked": True}, "y": {"stacked": True}},
        ),
        "audience": _chart(
            "line",
            MONTHS,
            [
                {"label": "Lượt xem", "data": [m.get("pageviews", 0) for m in audience_months]},
                {
                    "label": "Người đọc (lượt/ngày)",
                    "data": [m.get("visitors", 0) for m in audience_months],
                },
            ],
        ),
        "engaged": _chart(
            "bar",
            MONTHS,
            [
                {
                    "label": "Thời gian đọc (giờ)",
                    "data": [round(m.get("engaged_seconds", 0) / 3600, 1) for m in audience_months],
                }
            ],
            unit="hours",
        ),
        "places": _chart(
            "doughnut",
            ["Thành thị", "Nông thôn", "Ngoài tỉnh", "Chưa xác định"],
            [
                {
                    "data": [
                        places["urban"],
                        places["rural"],
                        places["elsewhere"],
                        places["unknown"],
                    ]
                }
            ],
        ),
        "channels": _chart(
            "pie",
            [CHANNEL_LABELS.get(k, k) for k in channels],
            [{"data": [v["pageviews"] for v in channels.values()]}],
        ),
        "revenue": _chart(
            "bar",
            list(revenue["by_source"]),
            [{"label": "Doanh thu", "data": list(revenue["by_source"].values())}],
            unit="vnd",
            indexAxis="y",
        ),
    }
    return render(
        request,
        "analytics/admin/dashboard.html",
        {
            "page_title": "Bảng điều khiển",
            "province_allowed": request.user.is_superuser
            or user_is_department_officer(request.user),
            "year": year,
            "agency": agency,
            "agencies": agencies,
            "charts": charts,
            "total": total,
            "engaged_hours": round(total.get("engaged_seconds", 0) / 3600, 1),
            "places": places,
            "top": [(titles.get(int(k), f"#{k}"), _with_minutes(v)) for k, v in top],
            "revenue": revenue,
            "output_total": sum(sum(c.values()) for c in output.values()),
            "commissions": selectors.commission_progress(year=year, agency=agency),
            "period": period,
            "production": [(title, growths[by]) for by, title in PRODUCTION_GROUPINGS.items()],
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )


def _with_minutes(figures: dict) -> dict:
    """Audience figures plus the reading time in whole minutes, as the tables show it."""
    return {**figures, "engaged_minutes": round(figures.get("engaged_seconds", 0) / 60)}


def _story_titles(story_audience):
    from newsroom.models import StoryPage

    ids = [int(k) for k in story_audience if k.isdigit()]
    return StoryPage.objects.filter(pk__in=ids).values("pk", "title")


def mine(request):
    """Số liệu của tôi: a reporter's own output and audience."""
    year = _year(request)
    user = request.user
    own = [
        s for s in selectors.stories(year=year) if user.pk in s["authors"]
    ]  # across agencies: a byline is the reporter's wherever it ran
    months = [0] * 12
    for s in own:
        months[timezone.localtime(s["first_published_at"]).month - 1] += 1
    per_author = selectors.audience(year=year, dimension=Dimension.AUTHOR).get(str(user.pk), {})
    story_audience = selectors.audience(year=year, dimension=Dimension.STORY)
    rows = sorted(
        (
            {
                "title": s["title"],
                "published": s["first_published_at"],
                "format": FORMAT_LABELS.get(s["primary_format"], s["primary_format"]),
                **_with_minutes(story_audience.get(str(s["pk"]), {})),
            }
            for s in own
        ),
        key=lambda r: -r.get("pageviews", 0),
    )
    charts = {
        "output": _chart("bar", MONTHS, [{"label": "Tin, bài đã đăng", "data": months}]),
        "audience": _chart(
            "bar",
            [Truncator(r["title"]).chars(26) for r in rows[:10]],
            [{"label": "Lượt xem", "data": [r.get("pageviews", 0) for r in rows[:10]]}],
            indexAxis="y",
        ),
    }
    return render(
        request,
        "analytics/admin/mine.html",
        {
            "page_title": "Số liệu của tôi",
            "year": year,
            "rows": rows,
            "charts": charts,
            "total": per_author,
            "engaged_hours": round(per_author.get("engaged_seconds", 0) / 3600, 1),
            "count": len(own),
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )


def indicators(request):
    """Chỉ tiêu kế hoạch: measured value next to the target, per agency or province."""
    year = _year(request)
    agency, agencies = _agency_choice(request, allow_province=True)
    report = selectors.year_report(year=year, agency=agency)
    submitted = YearlyReport.objects.filter(agency=agency, year=year).first() if agency else None
    can_submit = (
        agency is not None
        and not user_is_department_officer(request.user)
        and (request.user.is_superuser or Role.EDITOR_IN_CHIEF in user_roles(request.user, agency))
    )
    return render(
        request,
        "analytics/admin/indicators.html",
        {
            "page_title": "Chỉ tiêu kế hoạch chuyển đổi số báo chí",
            "year": year,
            "agency": agency,
            "agencies": agencies,
            "report": report,
            "formats": FORMATS,
            "submitted": submitted,
            "can_submit": can_submit,
            "province_allowed": request.user.is_superuser
            or user_is_department_officer(request.user),
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )


def export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("Định dạng không hỗ trợ.")
    year = _year(request)
    agency, _ = _agency_choice(request, allow_province=True)
    content = render_report(selectors.year_report(year=year, agency=agency), fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"chi-tieu-{agency.slug if agency else 'toan-tinh'}-{year}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def submit_report(request):
    year = _year(request)
    agency, _ = _agency_choice(request, allow_province=False)
    if user_is_department_officer(request.user) or not (
        request.user.is_superuser or Role.EDITOR_IN_CHIEF in user_roles(request.user, agency)
    ):
        raise PermissionDenied("Chỉ tổng biên tập gửi báo cáo năm lên Sở.")
    existing = YearlyReport.objects.filter(agency=agency, year=year).first()
    if existing and existing.status == ReportStatus.RECEIVED:
        messages.error(request, "Sở đã tiếp nhận báo cáo năm này; không gửi lại được.")
    else:
        services.yearly_report_submit(agency=agency, year=year, user=request.user)
        messages.success(request, f"Đã gửi báo cáo năm {year} lên Sở.")
    return redirect(reverse("analytics_admin:indicators") + f"?nam={year}&co-quan={agency.slug}")


class IpUploadForm(forms.Form):
    file = forms.FileField(label="Tệp CSV (cidr,ma_xa)")
    append = forms.BooleanField(label="Giữ các dải đã có", required=False)


def ip_ranges(request):
    if not request.user.is_superuser:
        raise PermissionDenied("Chỉ quản trị hệ thống nhập bảng dải IP.")
    errors = []
    form = IpUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read(5 * 1024 * 1024 + 1).decode("utf-8")
            if len(text) > 5 * 1024 * 1024:
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            errors = ["Tệp phải là CSV mã UTF-8, tối đa 5 MB."]
        else:
            try:
                count = services.ip_ranges_import(
                    text=text, replace=not form.cleaned_data["append"]
                )
            except services.ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Đã nhập {count} dải IP.")
                return redirect("analytics_admin:ip_ranges")
    return render(
        request,
        "analytics/admin/ip_ranges.html",
        {
            "form": form,
            "errors": errors,
            "ranges": IpRange.objects.all()[:200],
            "count": IpRange.objects.count(),
        },
    )


# --- Department officer and guidance -------------------------------------------------------


def _officer_only(user):
    if not (user.is_superuser or user_is_department_officer(user)):
        raise PermissionDenied("Chỉ cán bộ Sở truy cập trang này.")


class GuidanceForm(forms.ModelForm):
    class Meta:
        model = GuidanceDocument
        fields = ["title", "reference", "body", "agencies"]
        widgets = {"agencies": forms.CheckboxSelectMultiple}


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label="Kết quả",
        choices=[(ReportStatus.RECEIVED, "Tiếp nhận"), (ReportStatus.RETURNED, "Yêu cầu bổ sung")],
    )
    note = forms.CharField(label="Ý kiến", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def portal(request):
    """Cổng của Sở: every agency's indicators, reports submitted, guidance sent."""
    _officer_only(request.user)
    year = _year(request)
    agencies = selectors.agencies_of_year(year)
    province = selectors.year_report(year=year)
    table = [(a, selectors.year_report(year=year, agency=a)) for a in agencies]
    reports = {r.agency_id: r for r in YearlyReport.objects.filter(year=year)}
    documents = []
    for d in GuidanceDocument.objects.prefetch_related("agencies", "receipts__agency"):
        read = {r.agency_id for r in d.receipts.all()}
        documents.append((d, [a for a in d.agencies.all() if a.pk not in read]))
    return render(
        request,
        "analytics/admin/portal.html",
        {
            "page_title": "Cổng cán bộ Sở — chỉ tiêu các cơ quan báo chí",
            "year": year,
            "province": province,
            "table": [(a, rep, reports.get(a.pk)) for a, rep in table],
            "documents": documents,
            "form": GuidanceForm(),
            "review_form": ReviewForm(),
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )


@require_POST
def guidance_send(request):
    _officer_only(request.user)
    form = GuidanceForm(request.POST)
    if form.is_valid():
        document = form.save(commit=False)
        document.sent_by = request.user
        document.save()
        form.save_m2m()
        messages.success(request, "Đã gửi văn bản hướng dẫn tới các cơ quan.")
    else:
        messages.error(
            request,
            "Văn bản chưa hợp lệ: "
            + "; ".join(
                f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("analytics_admin:portal")


@require_POST
def report_review(request, pk):
    _officer_only(request.user)
    report = get_object_or_404(YearlyReport, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kết quả xem xét không hợp lệ.")
    else:
        services.yearly_report_review(
            report=report, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
        messages.success(request, f"Đã cập nhật báo cáo của {report.agency}.")
    return redirect(reverse("analytics_admin:portal") + f"?nam={report.year}")


def report_download(request, pk):
    report = get_object_or_404(YearlyReport, pk=pk)
    if not user_agencies(request.user).filter(pk=report.agency_id).exists():
        raise PermissionDenied("Báo cáo của cơ quan khác.")
    response = HttpResponse(report.file.read(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{report.file.name.split("/")[-1]}"'
    return response


def guidance_list(request):
    """Văn bản hướng dẫn received by the user's agencies."""
    agencies = user_agencies(request.user)
    documents = GuidanceDocument.objects.filter(agencies__in=agencies).distinct()
    read = set(
        GuidanceReceipt.objects.filter(agency__in=agencies).values_list("document_id", flat=True)
    )
    return render(
        request,
        "analytics/admin/guidance_list.html",
        {"documents": documents, "read": read},
    )


def guidance_detail(request, pk):
    document = get_object_or_404(GuidanceDocument, pk=pk)
    mine_ = Agency.objects.filter(pk__in=user_agencies(request.user), guidancedocument=document)
    officer = request.user.is_superuser or user_is_department_officer(request.user)
    if not mine_.exists() and not officer:
        raise PermissionDenied("Văn bản không gửi tới cơ quan của bạn.")
    if not officer:  # the department reading its own document is not a receipt
        for agency in mine_:
            services.guidance_mark_read(document=document, user=request.user, agency=agency)
    return render(
        request,
        "analytics/admin/guidance_detail.html",
        {"document": document, "receipts": document.receipts.select_related("agency", "reader")},
    )
