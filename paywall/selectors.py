"""Reads of the paywall. The analytics app calls `ledger_totals` and
`reader_commune_code`; keep their signatures."""

from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from .models import (
    CounterKind,
    LedgerEntry,
    Order,
    OrderStatus,
    PaywallCounter,
    Plan,
    ReaderProfile,
    Subscription,
    SubscriptionStatus,
)

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def ledger_totals(*, year: int) -> list[dict]:
    """Revenue by outlet (site), month (1–12, local time) and source (gateway) for a year:
    rows {"site_id", "month", "source", "amount"}; amount in đồng, refunds subtracted."""
    rows = (
        LedgerEntry.objects.filter(created_at__year=year)
        .annotate(month=ExtractMonth("created_at", tzinfo=LOCAL))
        .values("site_id", "month", "gateway")
        .annotate(amount=Sum("amount"))
        .order_by("site_id", "month", "gateway")
    )
    return [
        {
            "site_id": r["site_id"],
            "month": r["month"],
            "source": r["gateway"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def reader_commune_code(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return ReaderProfile.objects.filter(user=user).values_list("commune_code", flat=True).first()


def plans_for_site(site):
    return Plan.objects.filter(site=site, is_active=True).order_by("sort_order", "price")


def reader_subscriptions(user):
    return (
        Subscription.objects.filter(user=user)
        .exclude(status=SubscriptionStatus.PENDING)
        .select_related("plan", "site")
        .order_by("-created_at")
    )


def reader_orders(user):
    return Order.objects.filter(user=user).select_related("plan", "site").order_by("-created_at")


def current_subscription(user, site):
    now = timezone.now()
    return (
        Subscription.objects.filter(
            user=user, site=site, status=SubscriptionStatus.ACTIVE, ends_at__gt=now
        )
        .order_by("-ends_at")
        .first()
    )


def dashboard(*, site=None, year: int | None = None) -> dict:
    """Figures for the editor-in-chief: subscribers now, new and cancelled per month,
    revenue per month and plan, conversion from paywall impressions."""
    year = year or timezone.localdate().year
    now = timezone.now()
    subs = Subscription.objects.all()
    ledger = LedgerEntry.objects.filter(created_at__year=year)
    counters = PaywallCounter.objects.filter(month__startswith=f"{year}-")
    if site is not None:
        subs, ledger, counters = (
            subs.filter(site=site),
            ledger.filter(site=site),
            counters.filter(site=site),
        )
    active = subs.filter(status=SubscriptionStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now)
    months = {m: {"month": m, "new": 0, "cancelled": 0, "revenue": 0} for m in range(1, 13)}
    for row in (
        subs.filter(activated_at__year=year)
        .annotate(m=ExtractMonth("activated_at", tzinfo=LOCAL))
        .values("m")
        .annotate(n=Count("id"))
    ):
        months[row["m"]]["new"] = row["n"]
    for row in (
        subs.filter(cancelled_at__year=year, status=SubscriptionStatus.CANCELLED)
        .annotate(m=ExtractMonth("cancelled_at", tzinfo=LOCAL))
        .values("m")
        .annotate(n=Count("id"))
    ):
        months[row["m"]]["cancelled"] = row["n"]
    for row in (
        ledger.annotate(m=ExtractMonth("created_at", tzinfo=LOCAL))
        .values("m")
        .annotate(total=Sum("amount"))
    ):
        months[row["m"]]["revenue"] = row["total"] or 0
    by_plan = list(
        ledger.annotate(m=ExtractMonth("created_at", tzinfo=LOCAL))
        .values("m", "plan__name", "site__site_name")
        .annotate(total=Sum("amount"))
        .order_by("m", "site__site_name", "plan__name")
    )
    totals = {k: 0 for k in CounterKind.values}
    for row in counters.values("kind").annotate(n=Sum("count")):
        totals[row["kind"]] = row["n"] or 0
    impressions = totals[CounterKind.WALL_REGISTER] + totals[CounterKind.WALL_SUBSCRIBE]
    conversions = totals[CounterKind.CONVERSION]
    return {
        "year": year,
        "active_subscribers": active.values("user").distinct().count(),
        "months": list(months.values()),
        "by_plan": by_plan,
        "revenue_total": ledger.aggregate(t=Sum("amount"))["t"] or 0,
        "impressions": impressions,
        "signups": totals[CounterKind.SIGNUP],
        "conversions": conversions,
        "conversion_rate": (conversions / impressions * 100) if impressions else None,
        "paid_orders": Order.objects.filter(status=OrderStatus.PAID, paid_at__year=year)
        .filter(Q(site=site) if site else Q())
        .count(),
        "reconciled_orders": reconciled_orders(site=site, year=year),
    }


def reconciled_orders(*, site=None, year: int) -> int:
    """Paid orders of the year whose callback never came: settled by reconciliation."""
    orders = Order.objects.filter(
        status=OrderStatus.PAID, paid_at__year=year, settled_by_reconciliation=True
    )
    return orders.filter(site=site).count() if site else orders.count()
