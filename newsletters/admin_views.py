"""Wagtail admin: preview an edition as a free or a subscriber copy; send it now or
schedule it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .models import Edition, EditionStatus, Subscriber
from .selectors import edition_figures, editor_sites


def _edition(request, pk, perm) -> Edition:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Bạn không có quyền với bản tin email.")
    edition = get_object_or_404(Edition.objects.select_related("newsletter__site"), pk=pk)
    sites = editor_sites(request.user)
    if sites is not None and not sites.filter(pk=edition.newsletter.site_id).exists():
        raise PermissionDenied("Bản tin này thuộc cơ quan khác.")
    return edition


@require_GET
def edition_preview(request, pk, kind):
    if kind not in ("mien-phi", "thue-bao"):
        raise Http404("Không có bản xem trước này.")
    edition = _edition(request, pk, "newsletters.view_edition")
    reader = Subscriber(site=edition.newsletter.site, email="xem-truoc@example.vn")
    _, _, html, _ = services.render_copy(edition, reader, entitled=kind == "thue-bao")
    return HttpResponse(html)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Gửi lúc",
        required=False,
        help_text="Ví dụ 18:00 29/11/2026.",
        error_messages={"invalid": "Thời điểm chưa đúng, ví dụ 18:00 29/11/2026."},
    )


@require_http_methods(["GET", "POST"])
def edition_send(request, pk):
    edition = _edition(request, pk, "newsletters.change_edition")
    form = ScheduleForm(request.POST or None, initial={"scheduled_at": edition.scheduled_at})
    if request.method == "POST":
        if not edition.editable:
            messages.error(request, "Số này đã gửi hoặc đang gửi.")
            return redirect("newsletters_edition_send", pk=edition.pk)
        if not edition.items.exists():
            messages.error(request, "Số này chưa có bài nào: thêm bài trước khi gửi.")
            return redirect("newsletters_edition_send", pk=edition.pk)
        if request.POST.get("action") == "now":
            from .tasks import send_edition

            Edition.objects.filter(pk=edition.pk).update(
                status=EditionStatus.SCHEDULED, scheduled_at=timezone.now()
            )
            transaction.on_commit(lambda: send_edition.delay(edition.pk))
            messages.success(request, f"Đang gửi «{edition.subject}».")
            return redirect("wagtailsnippets_newsletters_edition:list")
        if form.is_valid():
            when = form.cleaned_data["scheduled_at"]
            if when is None or when <= timezone.now():
                form.add_error("scheduled_at", "Hãy chọn một thời điểm trong tương lai.")
            else:
                try:
                    services.edition_schedule(edition, when)
                except services.NewsletterError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        f"Đã lên lịch gửi «{edition.subject}» lúc "
                        f"{timezone.localtime(when):%H:%M %d/%m/%Y}.",
                    )
                    return redirect("wagtailsnippets_newsletters_edition:list")
    return TemplateResponse(
        request,
        "newsletters/admin/send.html",
        {"edition": edition, "form": form, "figures": edition_figures(edition)},
    )
