"""Demo data of the paywall: plans for each outlet, a paying and a free reader, and the
months of the current year before this one (the subscriber's monthly plans before the yearly
one, the wall's counters), so that the figures page, which opens on the current year, has
something to show. Idempotent. Imports no other app (the demo password is the project's
documented one)."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site

from .models import (
    CounterKind,
    Gateway,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    PaywallCounter,
    PaywallSettings,
    Plan,
    PromoCode,
    PromoKind,
    ReaderProfile,
    Subscription,
    SubscriptionStatus,
)

DEMO_PASSWORD = "hoitu-demo"
PLANS = [
    ("tuan", "Gói tuần", 7, 10_000, "Đọc không giới hạn trong 7 ngày"),
    ("thang", "Gói tháng", 30, 30_000, "Đọc không giới hạn trong 30 ngày"),
    ("nam", "Gói năm", 365, 300_000, "Tiết kiệm hơn 15% so với gói tháng"),
]


def _reader(username, email, commune_code):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": False}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    profile, _ = ReaderProfile.objects.get_or_create(user=user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.commune_code = commune_code
        profile.save()
    return user


def load(stdout=None) -> None:
    sites = list(Site.objects.order_by("-is_default_site", "pk"))
    for site in sites:
        PaywallSettings.for_site(site).save()
        for order, (slug, name, days, price, description) in enumerate(PLANS):
            Plan.objects.get_or_create(
                site=site,
                slug=slug,
                defaults={
                    "name": name,
                    "duration_days": days,
                    "price": price,
                    "description": description,
                    "sort_order": order,
                },
            )
    now = timezone.now()
    PromoCode.objects.get_or_create(
        code="CHAOBANDOC",
        defaults={
            "kind": PromoKind.PERCENT,
            "value": 20,
            "valid_from": now - timedelta(days=1),
            "valid_until": now + timedelta(days=365),
            "max_uses": 100,
        },
    )
    # Sầm Sơn ward and a mountain commune: the readers' places feed the analytics later.
    subscriber = _reader("docgia.thuebao", "docgia.thuebao@example.vn", None)
    _reader("docgia.mienphi", "docgia.mienphi@example.vn", None)
    if sites and not Subscription.objects.filter(user=subscriber).exists():
        for site in sites:
            plan = Plan.objects.get(site=site, slug="nam")
            sub = Subscription.objects.create(
                user=subscriber,
                site=site,
                plan=plan,
                status=SubscriptionStatus.ACTIVE,
                starts_at=now,
                ends_at=now + timedelta(days=plan.duration_days),
                activated_at=now,
            )
            order = Order.objects.create(
                user=subscriber,
                site=site,
                plan=plan,
                subscription=sub,
                gateway=Gateway.MANUAL,
                list_price=plan.price,
                amount=plan.price,
                status=OrderStatus.PAID,
                paid_at=now,
                gateway_ref="demo",
            )
            LedgerEntry.objects.create(
                kind=LedgerKind.PAYMENT,
                amount=plan.price,
                site=site,
                plan=plan,
                gateway=Gateway.MANUAL,
                gateway_ref="demo",
                order=order,
                subscription=sub,
            )
    if sites:
        _earlier_months(subscriber, sites)
    if stdout is not None:
        stdout.write("Paywall demo: plans, docgia.thuebao (subscriber), docgia.mienphi (free).")


# The wall's monthly counters on the paper (other outlets scaled down): shown, asked to
# register, asked to pay, signed up, paid.
COUNTERS = {
    CounterKind.WALL_REGISTER: 1_800,
    CounterKind.WALL_SUBSCRIBE: 950,
    CounterKind.SIGNUP: 140,
    CounterKind.CONVERSION: 23,
}


def _earlier_months(subscriber, sites):
    """This year's months before the current one: the subscriber paid a monthly plan on
    each outlet (expired since), and the wall counted its readers. A month already there
    is left alone."""
    today = timezone.localdate()
    PaywallCounter.objects.bulk_create(
        [
            PaywallCounter(
                site=site,
                month=f"{today.year}-{month:02d}",
                kind=kind,
                count=count // (n + 1) + 7 * month,
            )
            for month in range(1, today.month)
            for n, site in enumerate(sites)
            for kind, count in COUNTERS.items()
        ],
        ignore_conflicts=True,
    )
    for month in range(1, today.month):
        paid = timezone.make_aware(datetime(today.year, month, 5, 8, 30))
        for site in sites:
            plan = Plan.objects.get(site=site, slug="thang")
            if Order.objects.filter(user=subscriber, site=site, plan=plan, paid_at=paid).exists():
                continue
            sub = Subscription.objects.create(
                user=subscriber,
                site=site,
                plan=plan,
                status=SubscriptionStatus.EXPIRED,
                starts_at=paid,
                ends_at=paid + timedelta(days=plan.duration_days),
                activated_at=paid,
            )
            order = Order.objects.create(
                user=subscriber,
                site=site,
                plan=plan,
                subscription=sub,
                gateway=Gateway.MANUAL,
                list_price=plan.price,
                amount=plan.price,
                status=OrderStatus.PAID,
                paid_at=paid,
                gateway_ref="demo",
            )
            Order.objects.filter(pk=order.pk).update(created_at=paid)
            Subscription.objects.filter(pk=sub.pk).update(created_at=paid)
            LedgerEntry.objects.create(
                kind=LedgerKind.PAYMENT,
                amount=plan.price,
                site=site,
                plan=plan,
                gateway=Gateway.MANUAL,
                gateway_ref="demo",
                order=order,
                subscription=sub,
                created_at=paid,
            )
