"""Wagtail admin: an editor-in-chief sends a breaking-news alert for a published story
(write, then confirm), and follows how many readers it reached."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from newsroom.models import StoryPage

from . import selectors, services
from .models import Alert


class AlertForm(forms.Form):
    title = forms.CharField(
        label="Tiêu đề thông báo",
        max_length=services.TITLE_MAX,
        error_messages={
            "required": "Hãy nhập tiêu đề thông báo.",
            "max_length": f"Tiêu đề tối đa {services.TITLE_MAX} ký tự.",
        },
    )
    body = forms.CharField(
        label="Nội dung ngắn",
        max_length=services.BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Tối đa {services.BODY_MAX} ký tự; hiện dưới tiêu đề trên điện thoại.",
        error_messages={"max_length": f"Nội dung ngắn tối đa {services.BODY_MAX} ký tự."},
    )
    nonce = forms.UUIDField(widget=forms.HiddenInput, required=False)


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


@require_http_methods(["GET", "POST"])
def alert_send(request, page_id):
    """GET: the form, filled from the story. POST `step=preview`: the confirmation page
    (what readers will see, how many browsers). POST `step=confirm`: queued."""
    if not request.user.has_perm("push.add_alert"):
        raise PermissionDenied("Bạn không có quyền gửi tin nóng.")
    story = get_object_or_404(StoryPage, pk=page_id)
    site = story.get_site()
    if site is None or not selectors.may_send_for(request.user, site):
        raise PermissionDenied("Bài này thuộc trang báo của cơ quan khác.")
    if not story.live:
        messages.error(request, "Chỉ gửi tin nóng cho bài đã xuất bản.")
        return redirect("wagtailadmin_pages:edit", story.pk)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step:
        form = AlertForm(request.POST)
    else:
        form = AlertForm(
            initial={
                "title": _shorten(story.title, services.TITLE_MAX),
                "body": _shorten(story.standfirst, services.BODY_MAX),
            }
        )
    confirming = False
    if step and form.is_valid():
        data = form.cleaned_data
        if step == "confirm" and data["nonce"]:
            try:
                alert, created = services.alert_create(
                    user=request.user,
                    story=story,
                    title=data["title"],
                    body=data["body"],
                    nonce=data["nonce"],
                )
            except services.PushError as exc:
                messages.error(request, exc.message)
            else:
                if created:
                    messages.success(request, f"Đang gửi tin nóng «{alert.title}».")
                return redirect("push_alert_detail", alert.pk)
        else:
            try:
                services.clean_text(data["title"], data["body"])
            except services.PushError as exc:
                form.add_error(None, exc.message)
            else:
                confirming = True
                form = AlertForm(initial={**data, "nonce": uuid.uuid4()})
    return TemplateResponse(
        request,
        "push/admin/send.html",
        {
            "story": story,
            "site": site,
            "url": story.get_full_url(),
            "form": form,
            "confirming": confirming,
            "preview": form.initial if confirming else None,
            "subscribers": selectors.subscriber_count(site),
        },
    )


def _alerts_for(user):
    if not user.has_perm("push.view_alert"):
        raise PermissionDenied("Bạn không có quyền xem tin nóng.")
    alerts = Alert.objects.select_related("site", "story", "created_by")
    sites = selectors.sender_sites(user)
    return alerts if sites is None else alerts.filter(site__in=sites)


@require_GET
def alert_list(request):
    alerts = list(_alerts_for(request.user)[:100])
    rows = [(alert, selectors.alert_figures(alert)) for alert in alerts]
    return TemplateResponse(request, "push/admin/list.html", {"rows": rows})


@require_GET
def alert_detail(request, pk):
    alert = get_object_or_404(_alerts_for(request.user), pk=pk)
    return TemplateResponse(
        request,
        "push/admin/detail.html",
        {"alert": alert, "figures": selectors.alert_figures(alert)},
    )
