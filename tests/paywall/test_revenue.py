"""Promo codes, gift links, ledger, selectors, reminders and the editor-in-chief's view."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from paywall import services, tasks
from paywall.models import (
    AppendOnlyError,
    GiftLink,
    LedgerEntry,
    Order,
    PaywallSettings,
    Plan,
    PromoCode,
    PromoKind,
    Subscription,
    SubscriptionStatus,
)
from paywall.selectors import ledger_totals

from .conftest import BROWSER_UA, assert_no_paid, assert_paid, host


def promo(code, *, max_uses=1, kind=PromoKind.PERCENT, value=50, days=1):
    now = timezone.now()
    return PromoCode.objects.create(
        code=code,
        kind=kind,
        value=value,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=days),
        max_uses=max_uses,
    )


@pytest.mark.django_db
def test_promo_discount_and_limit(demo, make_reader):
    plan = Plan.objects.get(site__is_default_site=True, slug="thang")
    promo("NUAGIA", max_uses=1)
    order = services.order_create(
        user=make_reader(), plan=plan, gateway="vnpay", promo_code="nuagia"
    )
    assert order.amount == 15_000 and order.list_price == 30_000
    before = (Order.objects.count(), Subscription.objects.count())
    with pytest.raises(services.PaywallError, match="hết lượt"):
        services.order_create(user=make_reader(), plan=plan, gateway="vnpay", promo_code="NUAGIA")
    assert (Order.objects.count(), Subscription.objects.count()) == before
    promo("HETHAN", days=-1)
    with pytest.raises(services.PaywallError, match="hết hạn"):
        services.order_create(user=make_reader(), plan=plan, gateway="vnpay", promo_code="HETHAN")
    promo("TRU5000", kind=PromoKind.AMOUNT, value=5000, max_uses=10)
    order = services.order_create(
        user=make_reader(), plan=plan, gateway="momo", promo_code="TRU5000"
    )
    assert order.amount == 25_000
    # A cancelled order gives its use back.
    services.order_cancel(order=order)
    assert PromoCode.objects.get(code="TRU5000").used_count == 0


@pytest.mark.django_db
def test_promo_limit_holds_under_concurrency():
    """Twelve readers race for three uses, each on its own connection (committed data,
    cleaned up after), without flushing the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from django.db import connections

    def in_thread(fn):
        box = {}

        def run():
            try:
                box["value"] = fn()
            finally:
                connections.close_all()

        t = threading.Thread(target=run)
        t.start()
        return t, box

    t, _ = in_thread(lambda: promo("DONGTHOI", max_uses=3))
    t.join()
    results = []
    barrier = threading.Barrier(12)

    def take():
        barrier.wait()
        try:
            services.promo_reserve(code="DONGTHOI", site=None)
            results.append("ok")
        except services.PaywallError:
            results.append("refused")

    threads = [in_thread(take)[0] for _ in range(12)]
    for t in threads:
        t.join()
    t, box = in_thread(lambda: PromoCode.objects.get(code="DONGTHOI").used_count)
    t.join()
    cleanup, _ = in_thread(lambda: PromoCode.objects.filter(code="DONGTHOI").delete())
    cleanup.join()
    assert results.count("ok") == 3 and results.count("refused") == 9
    assert box["value"] == 3


@pytest.mark.django_db
def test_gift_link_opens_once_per_reader_and_refuses_bad_links(
    demo, make_reader, subscribe, stories
):
    story = stories["premium"]
    site = story.get_site()
    config = PaywallSettings.for_site(site)
    config.gift_link_uses, config.gift_links_per_month = 2, 2
    config.save()
    giver = make_reader()
    subscribe(giver, site)
    token = services.gift_link_create(user=giver, story=story)
    url = f"{story.url}?qua={token}"
    # A chat app's link preview (a bot) neither reads the story nor uses the link.
    preview = Client(HTTP_USER_AGENT="facebookexternalhit/1.1").get(url, **host(story))
    assert_no_paid(preview.content.decode(), story)
    assert GiftLink.objects.get().uses == 0
    friend = Client(HTTP_USER_AGENT=BROWSER_UA)
    response = friend.get(url, **host(story))
    assert_paid(response.content.decode(), story)
    assert "private" in response["Cache-Control"]
    friend.get(url, **host(story))  # reopening does not use the link again
    assert GiftLink.objects.get().uses == 1
    Client(HTTP_USER_AGENT=BROWSER_UA).get(url, **host(story))  # second reader
    third = Client(HTTP_USER_AGENT=BROWSER_UA).get(url, **host(story))
    html = third.content.decode()
    assert_no_paid(html, story)
    assert "hết lượt đọc" in html
    # Altered token.
    altered = Client(HTTP_USER_AGENT=BROWSER_UA).get(
        f"{story.url}?qua={token[:-2]}aa", **host(story)
    )
    assert_no_paid(altered.content.decode(), story)
    assert "không hợp lệ" in altered.content.decode()
    # Expired link.
    second = services.gift_link_create(user=giver, story=story)
    GiftLink.objects.filter(pk=GiftLink.objects.latest("pk").pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = Client(HTTP_USER_AGENT=BROWSER_UA).get(f"{story.url}?qua={second}", **host(story))
    assert_no_paid(expired.content.decode(), story)
    assert "hết hạn" in expired.content.decode()
    # Monthly quota, and only subscribers may give.
    with pytest.raises(services.PaywallError, match="hết 2 lượt"):
        services.gift_link_create(user=giver, story=story)
    with pytest.raises(services.PaywallError):
        services.gift_link_create(user=make_reader(), story=story)
    # The gift link page through the view.
    client = Client()
    client.force_login(giver)
    assert client.post(f"/tai-khoan/tang-bai/{story.pk}/").status_code == 400


@pytest.mark.django_db
def test_subscriber_creates_gift_link_from_the_story_page(demo, make_reader, subscribe, stories):
    story = stories["premium"]
    giver = make_reader()
    subscribe(giver, story.get_site())
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(giver)
    page = client.get(story.url, **host(story)).content.decode()
    assert f'action="/tai-khoan/tang-bai/{story.pk}/"' in page
    made = client.post(f"/tai-khoan/tang-bai/{story.pk}/", **host(story))
    assert made.status_code == 200 and "?qua=" in made.content.decode()
    assert GiftLink.objects.filter(giver=giver, story_id=story.pk).count() == 1


@pytest.mark.django_db
def test_ledger_is_append_only(demo):
    entry = LedgerEntry.objects.first()
    assert entry is not None  # the demo subscriber's payment
    with pytest.raises(AppendOnlyError):
        entry.amount = 1
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE paywall_ledgerentry SET amount = 1")


@pytest.mark.django_db
def test_ledger_totals_and_cancellation_with_refund(demo, make_reader, subscribe):
    plan = Plan.objects.get(site__is_default_site=True, slug="nam")
    user = make_reader()
    order = services.order_create(user=user, plan=plan, gateway="zalopay")
    assert (
        services.order_confirm_payment(
            gateway="zalopay", reference=order.reference, amount=300_000, gateway_ref="zp1"
        )
        == services.Confirm.OK
    )
    services.subscription_cancel(subscription=order.subscription, refund_amount=100_000)
    year = timezone.localdate().year
    rows = ledger_totals(year=year)
    assert set(rows[0]) == {"site_id", "month", "source", "amount"}
    month = timezone.localdate().month
    (zalo,) = [
        r
        for r in rows
        if r["source"] == "zalopay" and r["site_id"] == plan.site_id and r["month"] == month
    ]
    assert zalo["amount"] == 200_000
    kinds = list(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))
    assert sorted(kinds) == sorted(
        [("payment", 300_000), ("cancellation", 0), ("refund", -100_000)]
    )
    assert ledger_totals(year=year - 5) == []


@pytest.mark.django_db
def test_renewal_reminder_task_sends_once(demo, make_reader, subscribe):
    user = make_reader()
    sub = subscribe(user, Plan.objects.first().site, days_left=2)
    mail.outbox.clear()
    tasks.send_renewal_reminders.delay()
    tasks.send_renewal_reminders.delay()
    sent = [m for m in mail.outbox if user.email in m.to]
    assert len(sent) == 1 and "sắp hết hạn" in sent[0].subject
    sub.refresh_from_db()
    assert sub.reminded_at is not None
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["paywall-renewal-reminders"]["task"] == (
        "paywall.tasks.send_renewal_reminders"
    )


@pytest.mark.django_db
def test_expiry_task_expires_past_subscriptions(demo, make_reader, subscribe):
    sub = subscribe(make_reader(), Plan.objects.first().site, days_left=-1)
    tasks.expire_subscriptions.delay()
    sub.refresh_from_db()
    assert sub.status == SubscriptionStatus.EXPIRED


@pytest.mark.django_db
def test_editor_in_chief_dashboard(demo, stories):
    from django.contrib.auth import get_user_model

    # A paywall impression to count.
    Client(HTTP_USER_AGENT=BROWSER_UA).get(stories["premium"].url, **host(stories["premium"]))
    admin = get_user_model().objects.get(username="quantri")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/thu-phi/so-lieu/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thuê bao đang hiệu lực" in html and "Lượt hiện tường thu phí" in html
    assert 'id="active-subscribers">1<' in html  # the demo subscriber
    ledger = client.get("/admin/snippets/paywall/ledgerentry/")
    assert ledger.status_code == 200 and "Sổ doanh thu".lower() in ledger.content.decode().lower()
    entry = LedgerEntry.objects.first()
    for path in ("add/", f"edit/{entry.pk}/", f"delete/{entry.pk}/"):
        assert client.get(f"/admin/snippets/paywall/ledgerentry/{path}").status_code in (302, 403)
    assert client.get(f"/admin/snippets/paywall/ledgerentry/inspect/{entry.pk}/").status_code == 200
    reader = Client()
    reader.force_login(get_user_model().objects.get(username="docgia.mienphi"))
    assert reader.get("/admin/thu-phi/so-lieu/").status_code == 302
