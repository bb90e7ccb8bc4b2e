"""Wagtail admin: refunds of a paid order through its gateway (Hoàn tiền)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from . import refunds
from .models import Order, Refund, RefundStatus
from .services import PaywallError

STATUS_MESSAGES = {
    RefundStatus.SUCCEEDED: "Đã hoàn {amount} đồng qua cổng thanh toán và ghi vào sổ doanh thu.",
    RefundStatus.FAILED: "Cổng thanh toán từ chối hoàn tiền: {error}. Sổ doanh thu không đổi.",
    RefundStatus.PENDING: "Chưa rõ kết quả hoàn tiền ({error}). Số tiền được giữ lại; "
    "bấm “Gửi lại” để hỏi lại cổng với cùng mã hoàn tiền.",
}


def _dong(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _tell(request, refund: Refund) -> None:
    text = STATUS_MESSAGES[refund.status].format(
        amount=_dong(refund.amount), error=refund.error or "không có trả lời"
    )
    level = {
        RefundStatus.SUCCEEDED: messages.SUCCESS,
        RefundStatus.FAILED: messages.ERROR,
        RefundStatus.PENDING: messages.WARNING,
    }[refund.status]
    messages.add_message(request, level, text)


@require_http_methods(["GET", "POST"])
def order_refund(request, pk):
    if not refunds.can_refund(request.user):
        raise PermissionDenied("Bạn không có quyền hoàn tiền.")
    order = get_object_or_404(Order.objects.select_related("plan", "site", "user"), pk=pk)
    if request.method == "POST":
        if request.POST.get("resend"):
            refund = get_object_or_404(Refund, pk=request.POST["resend"], order=order)
            _tell(request, refunds.refund_send(refund=refund))
            return redirect("paywall_order_refund", pk=order.pk)
        try:
            amount = int(request.POST.get("amount", "").replace(".", "").strip())
        except ValueError:
            messages.error(request, "Số tiền hoàn phải là số đồng, ví dụ 30000.")
            return redirect("paywall_order_refund", pk=order.pk)
        try:
            refund = refunds.refund_create(
                order=order,
                amount=amount,
                reason=request.POST.get("reason", ""),
                user=request.user,
                token=request.POST.get("token", ""),
            )
        except PaywallError as exc:
            messages.error(request, exc.message)
        else:
            _tell(request, refund)
        return redirect("paywall_order_refund", pk=order.pk)
    return TemplateResponse(
        request,
        "paywall/admin/refund.html",
        {
            "order": order,
            "refunds": order.refunds.select_related("requested_by"),
            "left": refunds.refundable(order),
            "token": refunds.new_refund_token(),
        },
    )
