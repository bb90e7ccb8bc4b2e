"""Reconciliation: pending orders whose callback never came are asked about at the gateway
(MoMo query, VNPay querydr, ZaloPay query), a few minutes after checkout and again later,
and settled through the same state machine as the callbacks (`order_confirm_payment`,
`order_mark_failed`: row-locked and idempotent, so a callback and a query racing each
other book once)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .gateways import GATEWAY_NAMES, UntrustedAnswer, module
from .gateways.http import GatewayUnavailable
from .models import Order, OrderStatus

logger = logging.getLogger(__name__)


def schedule() -> list[int]:
    """Minutes after the order when the gateway is asked (one entry per query)."""
    return list(settings.PAYWALL_RECONCILE_MINUTES)


def orders_due(*, now=None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    minutes = schedule()
    candidates = (
        Order.objects.filter(
            status=OrderStatus.PENDING,
            gateway__in=GATEWAY_NAMES,
            checks__lt=len(minutes),
            created_at__lte=now - timedelta(minutes=minutes[0]),
        )
        .order_by("created_at")
        .values_list("pk", "created_at", "checks")[: limit * 5]
    )
    due = [
        pk
        for pk, created, checks in candidates
        if created + timedelta(minutes=minutes[checks]) <= now
    ]
    return due[:limit]


def order_reconcile(*, order_id: int) -> str:
    """One query for one pending order. Returns the outcome ("ok" when the query settled
    it, "pending", "already_confirmed", "error", ...)."""
    order = Order.objects.filter(pk=order_id, status=OrderStatus.PENDING).first()
    if order is None:
        return "settled"
    Order.objects.filter(pk=order.pk).update(checks=F("checks") + 1, checked_at=timezone.now())
    try:
        outcome = module(order.gateway).reconcile(order)
    except (GatewayUnavailable, UntrustedAnswer) as exc:
        logger.warning("Reconciliation of %s: %s", order.reference, exc)
        return "error"
    logger.info("Reconciliation of %s (%s): %s", order.reference, order.gateway, outcome)
    return outcome
