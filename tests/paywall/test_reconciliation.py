"""Reconciliation (issue 16): a paid order whose callback was dropped is settled by the
beat task querying the gateway imitation (MoMo query, VNPay querydr, ZaloPay query), with
each query's own signature, through the same state machine as the callbacks."""

import urllib.parse
from datetime import timedelta

import pytest
from django.test import Client

from paywall import selectors
from paywall.gateways import momo, vnpay, zalopay
from paywall.models import LedgerEntry, Order, Subscription, SubscriptionStatus
from paywall.tasks import reconcile_pending_orders

from .conftest import BROWSER_UA
from .fakes import (
    MOMO_QUERY,
    VNPAY_QUERY,
    FakeMoMo,
    FakeVNPay,
    FakeZaloPay,
    hmac256,
    pipe_hash,
)
from .server import serve_project
from .test_gateways import browser_get, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def fakes(settings):
    """The three gateway imitations, with the project served for their callbacks."""
    with serve_project() as base:
        gateways = dict(settings.PAYWALL_GATEWAYS)
        with (
            FakeVNPay(ipn_url=f"{base}/thanh-toan/vnpay/ipn/", **gateways["vnpay"]) as v,
            FakeMoMo(**gateways["momo"]) as m,
            FakeZaloPay(**gateways["zalopay"]) as z,
        ):
            settings.PAYWALL_GATEWAYS = {
                "vnpay": dict(
                    gateways["vnpay"],
                    pay_url=f"{v.url}/paymentv2/vpcpay.html",
                    api_url=f"{v.url}/merchant_webapi/api/transaction",
                ),
                "momo": dict(gateways["momo"], endpoint=f"{m.url}/v2/gateway/api/create"),
                "zalopay": dict(gateways["zalopay"], endpoint=f"{z.url}/v2/create"),
            }
            yield {"base": base, "vnpay": v, "momo": m, "zalopay": z}


def pay_without_callback(fakes, make_reader, gateway):
    user = make_reader()
    netloc = urllib.parse.urlsplit(fakes["base"]).netloc
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=netloc)
    client.force_login(user)
    response = client.post("/goi-cuoc/thang/mua/", {"gateway": gateway})
    assert response.status_code == 302
    fakes[gateway].drop_notifications = True
    browser_get(response["Location"])  # the reader pays; the callback is lost
    order = Order.objects.get(user=user)
    assert order.status == "pending"
    return order


def minutes_ago(order, minutes):
    Order.objects.filter(pk=order.pk).update(
        created_at=order.created_at - timedelta(minutes=minutes)
    )


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "zalopay"])
def test_dropped_callback_is_settled_by_reconciliation(fakes, demo, make_reader, settings, gateway):
    order = pay_without_callback(fakes, make_reader, gateway)
    fake = fakes[gateway]
    assert reconcile_pending_orders() == 0, "not due in the first minutes"
    assert fake.api_calls == []
    # Five minutes later (the clock moves, not the order: VNPay's querydr must repeat the
    # order's own vnp_CreateDate as vnp_TransactionDate).
    settings.PAYWALL_RECONCILE_MINUTES = [0, 15]
    assert reconcile_pending_orders() == 1
    order.refresh_from_db()
    assert order.status == "paid" and order.settled_by_reconciliation
    assert order.checks == 1 and order.checked_at
    assert Subscription.objects.get(order=order).status == SubscriptionStatus.ACTIVE
    entry = LedgerEntry.objects.get(order=order)
    assert (entry.kind, entry.amount, entry.gateway) == ("payment", order.amount, gateway)
    assert entry.gateway_ref and entry.gateway_ref == order.gateway_ref
    assert selectors.dashboard(year=order.paid_at.year)["reconciled_orders"] >= 1
    # The late callback, when it comes, changes nothing.
    before = snapshot()
    fake.drop_notifications = False
    fake.replay()
    assert snapshot() == before
    # Nothing left to ask about.
    assert reconcile_pending_orders() == 0


def test_unpaid_order_stays_pending_and_is_asked_again_later(fakes, demo, make_reader):
    user = make_reader()
    netloc = urllib.parse.urlsplit(fakes["base"]).netloc
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=netloc)
    client.force_login(user)
    client.post("/goi-cuoc/thang/mua/", {"gateway": "zalopay"})  # reader never pays
    order = Order.objects.get(user=user)
    minutes_ago(order, 6)
    before = snapshot()
    assert reconcile_pending_orders() == 1
    assert snapshot() == before
    order.refresh_from_db()
    assert order.status == "pending" and order.checks == 1
    assert reconcile_pending_orders() == 0, "next look at 15 minutes"
    minutes_ago(order, 10)
    assert reconcile_pending_orders() == 1


def test_vnpay_never_paid_fails_after_the_link_expired(fakes, demo, make_reader):
    user = make_reader()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)
    client.post("/goi-cuoc/thang/mua/", {"gateway": "vnpay"})
    order = Order.objects.get(user=user)
    minutes_ago(order, 6)
    reconcile_pending_orders()
    order.refresh_from_db()
    assert order.status == "pending", "the pay link may still be used"
    minutes_ago(order, 20)
    reconcile_pending_orders()
    order.refresh_from_db()
    assert order.status == "failed" and order.settled_by_reconciliation
    assert Subscription.objects.get(order=order).status == SubscriptionStatus.CANCELLED
    assert not LedgerEntry.objects.filter(order=order).exists()


def test_query_signatures_in_full(settings, demo, make_reader):
    """Each query's own signature, computed independently (the imitations') and compared
    whole: MoMo HMAC-SHA256 over accessKey&orderId&partnerCode&requestId, VNPay SHA-512
    over the "|"-joined querydr fields, ZaloPay HMAC(key1, app_id|app_trans_id|key1)."""
    cfg = settings.PAYWALL_GATEWAYS
    values = {"accessKey": cfg["momo"]["access_key"], "orderId": "HT1", "requestId": "HT1Q0"}
    values["partnerCode"] = cfg["momo"]["partner_code"]
    raw = momo.raw_string(momo.QUERY_FIELDS, values)
    assert momo.sign(raw, cfg["momo"]["secret_key"]) == hmac256(
        cfg["momo"]["secret_key"], MOMO_QUERY.format(**values)
    )
    body = {name: f"v{i}" for i, name in enumerate(VNPAY_QUERY)}
    assert vnpay.pipe_hash(body, vnpay.QUERY_FIELDS, "S") == pipe_hash(body, VNPAY_QUERY, "S")
    # ZaloPay's sandbox app 2553 with its published key1.
    key1 = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL"
    assert zalopay.mac(key1, f"2553|240101_1|{key1}") == hmac256(key1, f"2553|240101_1|{key1}")


def test_forged_query_answer_changes_nothing(fakes, demo, make_reader, settings):
    pay_without_callback(fakes, make_reader, "vnpay")
    settings.PAYWALL_RECONCILE_MINUTES = [0, 15]
    # VNPay's answer checked with another secret: as if someone else had answered.
    settings.PAYWALL_GATEWAYS["vnpay"] = dict(
        settings.PAYWALL_GATEWAYS["vnpay"], hash_secret="not-the-shared-secret"
    )
    before = snapshot()
    reconcile_pending_orders()
    assert snapshot() == before
