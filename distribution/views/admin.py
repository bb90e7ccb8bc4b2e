"""The editor-in-chief's distribution view (Phân phối): per platform its queue and
failures, per story where it went and when, and a resend button."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from newsroom.models import StoryPage

from ..models import DeliveryState
from ..selectors import (
    platform_summaries,
    user_can_manage_agency,
    user_can_view_distribution,
    user_deliveries,
)
from ..services import delivery_retry


def _check(request):
    if not user_can_view_distribution(request.user):
        raise PermissionDenied("Chỉ tổng biên tập và quản trị xem được phân phối.")


def index(request):
    _check(request)
    deliveries = user_deliveries(request.user)
    state = request.GET.get("state", "")
    platform = request.GET.get("platform", "")
    if state in DeliveryState.values:
        deliveries = deliveries.filter(state=state)
    if platform.isdigit():
        deliveries = deliveries.filter(platform_id=int(platform))
    page = Paginator(deliveries, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "distribution/admin/index.html",
        {
            "platforms": platform_summaries(request.user),
            "page_obj": page,
            "states": DeliveryState.choices,
            "state": state,
            "platform": platform,
            "can_retry": {d.pk for d in page if _can_retry(request.user, d)},
            "token_warn_before": timezone.now()
            + timedelta(days=settings.DISTRIBUTION_ZALO_REFRESH_WARN_DAYS),
        },
    )


def _can_retry(user, delivery) -> bool:
    return delivery.state in (DeliveryState.FAILED, DeliveryState.RETRYING) and (
        user_can_manage_agency(user, delivery.platform.agency_id)
    )


def story(request, pk):
    _check(request)
    page = get_object_or_404(StoryPage, pk=pk)
    deliveries = user_deliveries(request.user).filter(story=page).order_by("-created_at")
    return TemplateResponse(
        request,
        "distribution/admin/story.html",
        {
            "story": page,
            "deliveries": deliveries,
            "can_retry": {d.pk for d in deliveries if _can_retry(request.user, d)},
        },
    )


@require_POST
def retry(request, pk):
    _check(request)
    delivery = get_object_or_404(user_deliveries(request.user), pk=pk)
    try:
        delivery_retry(delivery=delivery, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Đã xếp lượt gửi lại tới {delivery.platform.name}.")
    back = request.POST.get("next", "")
    if back.startswith("/admin/"):
        return redirect(back)
    return redirect("distribution_admin:index")
