"""Payment behaviours as the gateways define them (issue 16): MoMo's result codes, the
signed MoMo create answer, VNPay's RspCode 99 on an unexpected error."""

import json

import pytest
from django.conf import settings
from django.test import Client

from paywall.models import LedgerEntry, Order, Subscription, SubscriptionStatus

from .conftest import BROWSER_UA
from .fakes import MOMO_IPN, FakeMoMo, hmac256, vnpay_hash
from .test_gateways import momo_ipn, order_for, snapshot, vnpay_ipn  # noqa: F401

pytestmark = pytest.mark.django_db


def test_momo_9000_then_0_ends_paid(order_for):  # noqa: F811
    order = order_for("momo")
    before = snapshot()
    assert momo_ipn(order, result=9000) == 204  # authorised, captured automatically
    assert snapshot() == before, "9000 changes nothing: the capture's 0 follows"
    assert momo_ipn(order, result=0) == 204
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.subscription.status == SubscriptionStatus.ACTIVE
    assert LedgerEntry.objects.filter(order=order, kind="payment").count() == 1


@pytest.mark.parametrize("code", [8000, 7000, 1000, 424242])
def test_momo_in_progress_or_unknown_codes_change_nothing(order_for, code):  # noqa: F811
    order = order_for("momo")
    before = snapshot()
    assert momo_ipn(order, result=code) == 204
    assert snapshot() == before


@pytest.mark.parametrize("code", [1001, 1005, 1006, 1017, 4100])
def test_momo_documented_failures_fail_the_order(order_for, code):  # noqa: F811
    order = order_for("momo")
    assert momo_ipn(order, result=code) == 204
    order.refresh_from_db()
    assert order.status == "failed"
    assert order.subscription.status == SubscriptionStatus.CANCELLED
    assert not LedgerEntry.objects.filter(order=order).exists()


def test_late_failure_never_undoes_a_payment(order_for):  # noqa: F811
    order = order_for("momo")
    assert momo_ipn(order, result=0) == 204
    after = snapshot()
    assert momo_ipn(order, result=1006) == 204
    assert snapshot() == after
    order.refresh_from_db()
    assert order.status == "paid"


def test_vnpay_ipn_unexpected_error_answers_99_not_500(order_for):  # noqa: F811
    order = order_for("vnpay")
    cfg = settings.PAYWALL_GATEWAYS["vnpay"]
    # Correctly signed, but a reference the database cannot even look up (a NUL byte).
    params = {
        "vnp_Amount": str(order.amount * 100),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": cfg["tmn_code"],
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order.reference + "\x00",
    }
    params["vnp_SecureHash"] = vnpay_hash(params, cfg["hash_secret"])
    before = snapshot()
    response = Client(raise_request_exception=False).get("/thanh-toan/vnpay/ipn/", params)
    assert response.status_code == 200
    assert response.json() == {"RspCode": "99", "Message": "Unknow error"}
    assert snapshot() == before
    # VNPay retries; the genuine notification still confirms.
    assert vnpay_ipn(order)["RspCode"] == "00"


def test_momo_ipn_published_example_signature():
    """MoMo's documented IPN example, signed with the public sandbox keys, compared as a
    whole signature (the sample's own values; the key pair is MoMo's published test one)."""
    from paywall.gateways import momo

    payload = {
        "partnerCode": "MOMO",
        "orderId": "MM1540456472575",
        "requestId": "MM1540456472575",
        "amount": 150000,
        "orderInfo": "SDK team.",
        "orderType": "momo_wallet",
        "transId": 2588659987,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": 1633504902954,
        "extraData": "",
    }
    access, secret = "F8BBA842ECF85", "K951B6PE1waDMi640xX08PD3vg6EkVlz"
    expected = hmac256(secret, MOMO_IPN.format(accessKey=access, **payload))
    raw = momo.raw_string(momo.IPN_FIELDS, dict(payload, accessKey=access))
    assert momo.sign(raw, secret) == expected


def test_momo_forged_create_answer_never_redirects_the_reader(demo, make_reader):
    gateways = dict(settings.PAYWALL_GATEWAYS)
    with FakeMoMo(**gateways["momo"]) as fake:
        fake.forge_create = True
        settings.PAYWALL_GATEWAYS = dict(
            gateways, momo=dict(gateways["momo"], endpoint=f"{fake.url}/v2/gateway/api/create")
        )
        try:
            user = make_reader()
            client = Client(HTTP_USER_AGENT=BROWSER_UA)
            client.force_login(user)
            response = client.post("/goi-cuoc/thang/mua/", {"gateway": "momo"})
            assert "phishing" not in response.get("Location", "")
            page = client.get(response["Location"])
            assert "Cổng thanh toán đang bận" in page.content.decode()
            fake.forge_create = False
            genuine = client.post("/goi-cuoc/thang/mua/", {"gateway": "momo"})
            assert genuine["Location"].startswith(fake.url)
        finally:
            settings.PAYWALL_GATEWAYS = gateways
    first = Order.objects.filter(user=user).order_by("pk").first()
    assert first.status == "cancelled"
    assert Subscription.objects.get(order=first).status == SubscriptionStatus.CANCELLED
    assert not LedgerEntry.objects.filter(order=first).exists()
    assert json.dumps(fake.calls[0]["amount"]) == "30000"
