"""Order state changes under concurrency (issue 11): a "failed" and a "paid" notification
for the same order, sent at the same moment through the real notification views, each
on its own database connection, over many rounds on PostgreSQL. Whatever order they
land in, the gateway took the money, so every order ends paid with one ledger entry and
an active subscription; a failure never un-pays, and a late payment is honoured."""

import functools
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Q

from paywall import services
from paywall.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Plan,
    PromoCode,
    Subscription,
    SubscriptionStatus,
)
from tests.support import restore_migration_rows

from .test_gateways import momo_ipn, vnpay_ipn, zalopay_callback

ROUNDS = 60  # 20 pairs per gateway


def zalopay_failed(order):
    # ZaloPay's callback reports only payments; a failure comes from its query answer
    # (return_code 2), which reconciliation settles through this function.
    return services.order_mark_failed(
        gateway="zalopay", reference=order.gateway_order_id, amount=None, reconciled=True
    )


PAIRS = {
    "vnpay": (lambda o: vnpay_ipn(o, code="24")["RspCode"], lambda o: vnpay_ipn(o)["RspCode"]),
    "momo": (lambda o: momo_ipn(o, result=1006), momo_ipn),
    "zalopay": (zalopay_failed, zalopay_callback),
}


def race(*calls):
    """Runs the calls at the same moment, each in its own thread on its own connection."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def plan(transactional_db):
    from wagtail.models import Page, Site

    restore_migration_rows()  # an earlier transactional test may have flushed them
    site = Site.objects.create(
        hostname="dua-thanh-toan.localhost", port=80, root_page=Page.get_first_root_node()
    )
    return Plan.objects.create(site=site, name="Tháng", slug="thang", duration_days=30, price=30000)


def test_failed_and_paid_notifications_racing_end_consistent(plan):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    promo = PromoCode.objects.create(
        code="DUA",
        kind="amount",
        value=5000,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
        max_uses=ROUNDS,
    )
    gateways = list(PAIRS)
    firsts = Counter()
    orders = []
    for n in range(ROUNDS):
        gateway = gateways[n % len(gateways)]
        user = services.reader_create(email=f"dua{n}@example.vn", password="mat-khau-rat-dai-2026")
        order = services.order_create(
            user=user, plan=plan, gateway=gateway, promo_code="DUA" if n % 2 else ""
        )
        if gateway == "zalopay":
            order.gateway_order_id = f"261128_{order.reference}"
            order.save(update_fields=["gateway_order_id"])
        failed, paid = PAIRS[gateway]
        fail_result, _ = race(functools.partial(failed, order), functools.partial(paid, order))
        # The failure report won the lock (and the payment came late) when it was acted on.
        firsts[fail_result in ("00", "ok")] += 1
        orders.append(order.pk)
    # Every pair ends paid: the gateway took the money, whatever order the reports came in.
    statuses = Counter(Order.objects.filter(pk__in=orders).values_list("status", flat=True))
    assert statuses == {OrderStatus.PAID: ROUNDS}, (statuses, firsts)
    payments = LedgerEntry.objects.filter(kind=LedgerKind.PAYMENT, order__in=orders)
    per_order = Counter(payments.values_list("order_id", flat=True))
    assert per_order == {pk: 1 for pk in orders}
    assert sum(payments.values_list("amount", flat=True)) == sum(
        Order.objects.filter(pk__in=orders).values_list("amount", flat=True)
    )
    subs = Subscription.objects.filter(order__pk__in=orders)
    assert subs.filter(status=SubscriptionStatus.ACTIVE, cancelled_at__isnull=True).count() == (
        ROUNDS
    )
    assert not subs.filter(Q(starts_at__isnull=True) | Q(ends_at__isnull=True)).exists()
    # The promo's uses: one per order that used it, given back and taken again on the way.
    promo.refresh_from_db()
    assert promo.used_count == Order.objects.filter(promo=promo).count() == ROUNDS // 2
    # No order that ended unpaid holds an active subscription (the invariant in general).
    assert not Subscription.objects.filter(
        status=SubscriptionStatus.ACTIVE, order__status__in=[OrderStatus.FAILED, "cancelled"]
    ).exists()
    assert not LedgerEntry.objects.filter(order__in=orders).exclude(kind=LedgerKind.PAYMENT)
    print(f"{ROUNDS} pairs; failure report first in {firsts[True]}")


def test_transitions_outside_the_table_are_refused(plan):
    user = services.reader_create(email="bang@example.vn", password="mat-khau-rat-dai-2026")
    order = services.order_create(user=user, plan=plan, gateway="vnpay")
    with pytest.raises(services.TransitionRefused, match="inside a transaction"):
        services._order_locked(order.pk)
    with transaction.atomic():
        locked = services._order_locked(order.pk)
        services._order_move(locked, OrderStatus.PAID)
        with pytest.raises(services.TransitionRefused, match="paid -> failed"):
            services._order_move(locked, OrderStatus.FAILED)
        with pytest.raises(services.TransitionRefused, match="paid -> pending"):
            services._order_move(locked, OrderStatus.PENDING)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
