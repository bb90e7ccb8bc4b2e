"""Refunds through the gateways' refund APIs (VNPay refund, MoMo refund, ZaloPay refund),
partial or full, started by staff from the admin. Idempotent: a refund has its own id,
sent to the gateway and unique here, so a double submission or a resend never refunds
twice. Money is booked only on the gateway's yes: a negative ledger entry (the ledger is
append-only); a refusal books nothing; an answer that never came leaves the refund
pending, its amount reserved, until it is sent again with the same id."""

import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .gateways import GATEWAY_NAMES, UntrustedAnswer, module
from .gateways.http import GatewayUnavailable
from .models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from .services import PaywallError

logger = logging.getLogger(__name__)


def can_refund(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or user.has_perm("paywall.refund_order"))
    )


def refundable(order: Order) -> int:
    """What is left to refund: paid amount less refunds done or still pending."""
    taken = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(t=Sum("amount"))["t"] or 0
    return max(order.amount - taken, 0)


def new_refund_token() -> str:
    """The form's one-time key: the same submission twice finds the same refund."""
    return secrets.token_hex(4).upper()


def _request_id(order: Order, token: str) -> str:
    if order.gateway == "zalopay":
        from .gateways.zalopay import refund_id

        return refund_id(order, token)
    return f"{order.reference}R{token}"


def refund_create(*, order: Order, amount: int, reason: str, user, token: str) -> Refund:
    if not can_refund(user):
        raise PermissionDenied("Bạn không có quyền hoàn tiền.")
    token = "".join(ch for ch in (token or "") if ch.isalnum())[:12]
    if not token:
        raise PaywallError("Biểu mẫu hoàn tiền không hợp lệ, vui lòng tải lại trang.", "token")
    existing = Refund.objects.filter(order=order, request_id__endswith=f"R{token}").first()
    if existing is not None:
        return existing  # the same submission again
    reason = (reason or "").strip()
    if not reason:
        raise PaywallError("Vui lòng ghi lý do hoàn tiền.", "reason")
    with transaction.atomic():
        # The order's lock keeps two refunds from taking the same remaining amount.
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != OrderStatus.PAID:
            raise PaywallError("Chỉ hoàn tiền được cho đơn đã thanh toán.", "not_paid")
        if order.gateway not in GATEWAY_NAMES or not order.gateway_ref:
            raise PaywallError(
                "Đơn này không thanh toán qua cổng nên không hoàn tiền qua cổng được.", "manual"
            )
        left = refundable(order)
        if not 1 <= int(amount) <= left:
            raise PaywallError(
                f"Số tiền hoàn phải từ 1 đến {left:,} đồng (phần còn hoàn được của đơn).".replace(
                    ",", "."
                ),
                "amount",
            )
        refund = Refund.objects.create(
            order=order,
            amount=int(amount),
            reason=reason[:200],
            request_id=_request_id(order, token),
            requested_by=user,
        )
    return refund_send(refund=refund)


def refund_send(*, refund: Refund) -> Refund:
    """Sends a pending refund to its gateway (again, with the same id, after an answer
    was lost) and books the outcome."""
    if refund.status != RefundStatus.PENDING:
        return refund
    order = refund.order
    try:
        outcome, gateway_ref, message = module(order.gateway).refund(refund)
    except (GatewayUnavailable, UntrustedAnswer) as exc:
        logger.warning("Refund %s: no usable answer: %s", refund.request_id, exc)
        outcome, gateway_ref, message = "pending", "", f"Chưa nhận được trả lời của cổng: {exc}"
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
        if refund.status != RefundStatus.PENDING:
            return refund  # finished by a concurrent resend
        if outcome == "succeeded":
            _book(refund, gateway_ref)
        elif outcome == "failed":
            refund.status = RefundStatus.FAILED
            refund.error = message
            refund.finished_at = timezone.now()
            refund.save(update_fields=["status", "error", "finished_at"])
        else:
            refund.error = message
            refund.save(update_fields=["error"])
    logger.info("Refund %s of %s: %s (%s)", refund.request_id, order.reference, outcome, message)
    return refund


def _book(refund: Refund, gateway_ref: str) -> None:
    order = refund.order
    now = timezone.now()
    refund.status = RefundStatus.SUCCEEDED
    refund.gateway_ref = gateway_ref[:64]
    refund.error = ""
    refund.finished_at = now
    refund.save(update_fields=["status", "gateway_ref", "error", "finished_at"])
    common = dict(
        site_id=order.site_id,
        plan_id=order.plan_id,
        gateway=order.gateway,
        gateway_ref=refund.gateway_ref or order.gateway_ref,
        order=order,
        subscription_id=order.subscription_id,
    )
    LedgerEntry.objects.create(kind=LedgerKind.REFUND, amount=-refund.amount, **common)
    done = order.refunds.filter(status=RefundStatus.SUCCEEDED).aggregate(t=Sum("amount"))["t"]
    if done == order.amount:
        # Everything paid came back: the subscription ends now.
        ended = Subscription.objects.filter(
            pk=order.subscription_id, status=SubscriptionStatus.ACTIVE
        ).update(status=SubscriptionStatus.CANCELLED, cancelled_at=now)
        if ended:
            LedgerEntry.objects.create(kind=LedgerKind.CANCELLATION, amount=0, **common)
