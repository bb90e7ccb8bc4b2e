"""Reads of the paywall. The analytics app calls `ledger_totals` and
`reader_commune_code`; keep their signatures."""

from zoneinfo import ZoneInfo

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from wagtail.models import Site

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


# Who reads an agency's paywall figures: its editor-in-chief (and its own administrator).
FIGURES_ROLES = ("editor_in_chief", "admin")


def figures_sites(user):
    """The sites whose paywall figures `user` may read, or None for every site (superuser,
    or a holder of paywall.view_ledgerentry). An editor-in-chief gets the outlets of their
    own agencies only; anyone else an empty queryset."""
    from newsroom.models import Role

    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser or user.has_perm("paywall.view_ledgerentry"):
        return None
    roles = [Role(r) for r in FIGURES_ROLES]
    return (
        Site.objects.filter(
            outlet__agency__roles__group__user=user, outlet__agency__roles__role__in=roles
        )
        .distinct()
        .order_by("site_name")
    )


def dashboard(*, site=None, sites=None, year: int | None = None) -> dict:
    """Figures for the editor-in-chief: subscribers now, new and cancelled per month,
    revenue per month and plan, conversion from paywall impressions. `site` narrows to one
    outlet; `sites` (None = every site) to the outlets the viewer may see."""
    year = year or timezone.localdate().year
    now = timezone.now()
    subs = Subscription.objects.all()
    ledger = LedgerEntry.objects.filter(created_at__year=year)
    counters = PaywallCounter.objects.filter(month__startswith=f"{year}-")
    orders = Order.objects.filter(status=OrderStatus.PAID, paid_at__year=year)
    for scope in (
        {"site": site} if site is not None else None,
        {"site__in": sites} if sites is not None else None,
    ):
        if scope:
            subs, ledger, counters, orders = (
                qs.filter(**scope) for qs in (subs, ledger, counters, orders)
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
        # Subscriptions of deleted accounts (user NULL) have nobody behind them.
        "active_subscribers": active.exclude(user=None).values("user").distinct().count(),
        "months": list(months.values()),
        "by_plan": by_plan,
        "revenue_total": ledger.aggregate(t=Sum("amount"))["t"] or 0,
        "impressions": impressions,
        "signups": totals[CounterKind.SIGNUP],
        "conversions": conversions,
        "conversion_rate": (conversions / impressions * 100) if impressions else None,
        "paid_orders": orders.count(),
        # Paid orders whose callback never came: settled by reconciliation.
        "reconciled_orders": orders.filter(settled_by_reconciliation=True).count(),
    }
