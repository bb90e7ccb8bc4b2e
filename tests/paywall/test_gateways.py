"""Gateway contracts: signatures against published samples, IPN bad input changing
nothing, and round trips through fake gateway servers on 127.0.0.1."""

import json
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from paywall import services
from paywall.gateways import momo, vnpay, zalopay
from paywall.models import LedgerEntry, Order, Plan, Subscription, SubscriptionStatus

from .conftest import BROWSER_UA
from .fakes import (
    MOMO_IPN,
    FakeMoMo,
    FakeVNPay,
    FakeZaloPay,
    hmac256,
    vnpay_hash,
)
from .server import serve_project

# --- Signatures against the gateways' published samples -------------------------------

# VNPay's documented sample pay URL (sandbox.vnpayment.vn/apis/docs, v2.1.0).
VNPAY_SAMPLE_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)


def test_vnpay_canonical_string_matches_published_sample():
    params = dict(urllib.parse.parse_qsl(VNPAY_SAMPLE_QUERY))
    shuffled = dict(reversed(list(params.items())))
    shuffled["vnp_SecureHash"] = "ignored"
    assert vnpay.canonical(shuffled) == VNPAY_SAMPLE_QUERY
    assert vnpay.sign(params, "SECRET") == vnpay_hash(params, "SECRET")
    assert len(vnpay.sign(params, "SECRET")) == 128  # SHA-512 hex
    params["vnp_SecureHash"] = vnpay.sign(params, "SECRET")
    assert vnpay.verify(params, "SECRET")
    params["vnp_Amount"] = "1806100"
    assert not vnpay.verify(params, "SECRET")


# ZaloPay's documented callback sample (docs.zalopay.vn callback-api), sandbox app 2553,
# whose key2 is published with the sandbox.
ZALOPAY_SAMPLE = {
    "data": json.dumps(
        {
            "app_id": 2553,
            "app_trans_id": "200904_2553_1598435687208",
            "app_time": 1599189392817,
            "app_user": "demo",
            "amount": 10000,
            "embed_data": '{"merchantinfo":"embeddata123","promotioninfo":""}',
            "item": '[{"itemid":"knb","itemname":"kim nguyen bao","itemprice":198400,'
            '"itemquantity":1}]',
            "zp_trans_id": 200904000000389,
            "server_time": 1599189413498,
            "channel": 38,
            "merchant_user_id": "7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc",
            "user_fee_amount": 0,
            "discount_amount": 0,
        },
        separators=(",", ":"),
    ),
    "mac": "d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67",
}


def test_zalopay_callback_mac_matches_published_sample():
    assert (
        zalopay.mac("kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz", ZALOPAY_SAMPLE["data"])
        == (ZALOPAY_SAMPLE["mac"])
    )
    # The MAC is over the raw string: re-serialising the same JSON differently breaks it.
    respaced = json.dumps(json.loads(ZALOPAY_SAMPLE["data"]))
    assert zalopay.mac("kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz", respaced) != ZALOPAY_SAMPLE["mac"]


def test_zalopay_order_mac_input_order():
    params = {
        "app_id": 2553,
        "app_trans_id": "240101_1",
        "app_user": "u",
        "amount": 50000,
        "app_time": 1,
        "embed_data": "{}",
        "item": "[]",
    }
    assert zalopay.order_mac_input(params) == "2553|240101_1|u|50000|1|{}|[]"


def test_momo_ipn_raw_string_follows_documented_order():
    # MoMo's documented IPN example (developers.momo.vn payment notification).
    payload = {
        "orderType": "momo_wallet",
        "amount": 1000,
        "partnerCode": "MOMOT5BZ20231213_TEST",
        "orderId": "Partner_Transaction_ID_1721720620078",
        "extraData": "eyJza3VzIjoiIn0=",
        "transId": 4088878653,
        "responseTime": 1721720663942,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "requestId": "Request_ID_1721720620078",
        "orderInfo": "Thank you for your purchase at MoMo_test",
    }
    raw = momo.raw_string(momo.IPN_FIELDS, dict(payload, accessKey="AK"))
    assert raw == MOMO_IPN.format(accessKey="AK", **payload)
    assert raw.startswith("accessKey=AK&amount=1000&extraData=eyJza3VzIjoiIn0=&message=")
    assert momo.sign(raw, "SK") == hmac256("SK", raw)


# --- IPN bad input: each refused in the gateway's format, nothing changes -------------


def snapshot():
    return (
        list(Subscription.objects.order_by("pk").values_list("pk", "status", "ends_at")),
        LedgerEntry.objects.count(),
        list(Order.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.fixture
def order_for(demo, make_reader):
    def make(gateway):
        user = make_reader()
        plan = Plan.objects.get(site__is_default_site=True, slug="thang")
        order = services.order_create(user=user, plan=plan, gateway=gateway)
        if gateway == "zalopay":
            order.gateway_order_id = "261126_" + order.reference
            order.save()
        return order

    return make


def vnpay_ipn(order, *, amount=None, ref=None, secret=None, code="00"):
    cfg = settings.PAYWALL_GATEWAYS["vnpay"]
    params = {
        "vnp_Amount": str((amount if amount is not None else order.amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "x",
        "vnp_ResponseCode": code,
        "vnp_TmnCode": cfg["tmn_code"],
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": code,
        "vnp_TxnRef": ref or order.reference,
    }
    params["vnp_SecureHash"] = vnpay_hash(params, secret or cfg["hash_secret"])
    return Client().get("/thanh-toan/vnpay/ipn/", params).json()


def momo_ipn(order, *, amount=None, ref=None, secret=None, result=0):
    cfg = settings.PAYWALL_GATEWAYS["momo"]
    payload = {
        "partnerCode": cfg["partner_code"],
        "orderId": ref or order.reference,
        "requestId": order.reference,
        "amount": amount if amount is not None else order.amount,
        "orderInfo": "x",
        "orderType": "momo_wallet",
        "transId": 2588659987,
        "resultCode": result,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": 1633504902954,
        "extraData": "",
    }
    payload["signature"] = hmac256(
        secret or cfg["secret_key"], MOMO_IPN.format(accessKey=cfg["access_key"], **payload)
    )
    response = Client().post(
        "/thanh-toan/momo/ipn/", json.dumps(payload), content_type="application/json"
    )
    return response.status_code


def zalopay_callback(order, *, amount=None, ref=None, key=None, tamper=False):
    cfg = settings.PAYWALL_GATEWAYS["zalopay"]
    data = json.dumps(
        {
            "app_id": int(cfg["app_id"]),
            "app_trans_id": ref or order.gateway_order_id,
            "app_time": 1,
            "app_user": "u",
            "amount": amount if amount is not None else order.amount,
            "embed_data": "{}",
            "item": "[]",
            "zp_trans_id": 260101000000001,
            "server_time": 2,
            "channel": 38,
            "merchant_user_id": "m",
            "user_fee_amount": 0,
            "discount_amount": 0,
        },
        separators=(",", ":"),
    )
    mac = hmac256(key or cfg["key2"], data)
    if tamper:
        data = data.replace('"amount":', '"amount":1')
    body = json.dumps({"data": data, "mac": mac, "type": 1})
    return (
        Client()
        .post("/thanh-toan/zalopay/callback/", body, content_type="application/json")
        .json()["return_code"]
    )


@pytest.mark.django_db
def test_vnpay_ipn_bad_inputs_then_confirm_then_replay(order_for):
    order = order_for("vnpay")
    before = snapshot()
    assert vnpay_ipn(order, secret="forged")["RspCode"] == "97"
    assert vnpay_ipn(order, ref="HT000000UNKNOWN")["RspCode"] == "01"
    assert vnpay_ipn(order, amount=order.amount - 1000)["RspCode"] == "04"
    assert snapshot() == before
    assert vnpay_ipn(order) == {"RspCode": "00", "Message": "Confirm Success"}
    after = snapshot()
    assert after != before and LedgerEntry.objects.filter(order=order).count() == 1
    assert vnpay_ipn(order)["RspCode"] == "02"  # replay
    assert snapshot() == after
    order.refresh_from_db()
    assert order.subscription.status == SubscriptionStatus.ACTIVE


@pytest.mark.django_db
def test_momo_ipn_bad_inputs_then_confirm_then_replay(order_for):
    order = order_for("momo")
    before = snapshot()
    assert momo_ipn(order, secret="forged") == 400
    assert momo_ipn(order, ref="HT000000UNKNOWN") == 400
    assert momo_ipn(order, amount=order.amount + 1) == 400
    bad_json = Client().post("/thanh-toan/momo/ipn/", "{", content_type="application/json")
    assert bad_json.status_code == 400
    assert snapshot() == before
    assert momo_ipn(order) == 204
    after = snapshot()
    assert LedgerEntry.objects.filter(order=order, gateway="momo").count() == 1
    assert momo_ipn(order) == 204  # replay: acknowledged, nothing changes
    assert snapshot() == after


@pytest.mark.django_db
def test_zalopay_callback_bad_inputs_then_confirm_then_replay(order_for):
    order = order_for("zalopay")
    before = snapshot()
    assert zalopay_callback(order, key="forged") == -1
    assert zalopay_callback(order, tamper=True) == -1
    assert zalopay_callback(order, ref="261126_UNKNOWN") == 0
    assert zalopay_callback(order, amount=order.amount * 2) == 0
    assert snapshot() == before
    assert zalopay_callback(order) == 1
    after = snapshot()
    assert zalopay_callback(order) == 2  # replay
    assert snapshot() == after


@pytest.mark.django_db
@pytest.mark.parametrize("gateway", ["vnpay", "momo", "zalopay"])
@pytest.mark.parametrize("ended", ["cancelled", "failed"])
def test_late_payment_of_a_cancelled_or_failed_order_is_honoured(order_for, gateway, ended):
    """The gateway took the money after the order ended unpaid: the reader gets what they
    paid for, booked once, and the gateway its success answer."""
    order = order_for(gateway)
    if ended == "cancelled":
        assert services.order_cancel(order=order)
    else:
        services.order_mark_failed(gateway=gateway, reference=order.reference, amount=None)
    order.refresh_from_db()
    assert order.status == ended and order.subscription.status == SubscriptionStatus.CANCELLED
    if gateway == "vnpay":
        assert vnpay_ipn(order)["RspCode"] == "00"
        assert vnpay_ipn(order)["RspCode"] == "02"  # a replay books nothing more
    elif gateway == "momo":
        assert momo_ipn(order) == 204 and momo_ipn(order) == 204
    else:
        assert zalopay_callback(order) == 1 and zalopay_callback(order) == 2
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert LedgerEntry.objects.filter(order=order, kind="payment").count() == 1
    order.subscription.refresh_from_db()
    assert order.subscription.status == SubscriptionStatus.ACTIVE
    assert order.subscription.cancelled_at is None and order.subscription.ends_at is not None
    # and a failure report after that changes nothing
    services.order_mark_failed(gateway=gateway, reference=order.reference, amount=None)
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.django_db
def test_failed_payment_notification_cancels_pending_order(order_for):
    order = order_for("vnpay")
    assert vnpay_ipn(order, code="24")["RspCode"] == "00"
    order.refresh_from_db()
    assert order.status == "failed" and not LedgerEntry.objects.filter(order=order).exists()


# --- Round trips through fake gateway servers -------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_get(url):
    """The reader's browser opening the gateway page; returns the redirect target."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()
        return exc.headers["Location"]
    raise AssertionError("the gateway did not redirect back")


@pytest.mark.django_db
def test_round_trip_through_each_fake_gateway(demo, make_reader, settings):
    with serve_project() as base:
        _round_trips(base, make_reader, settings)


def _round_trips(base, make_reader, settings):
    netloc = urllib.parse.urlsplit(base).netloc
    gateways = dict(settings.PAYWALL_GATEWAYS)
    with (
        FakeVNPay(ipn_url=f"{base}/thanh-toan/vnpay/ipn/", **gateways["vnpay"]) as fake_vnpay,
        FakeMoMo(**gateways["momo"]) as fake_momo,
        FakeZaloPay(**gateways["zalopay"]) as fake_zalopay,
    ):
        gateways["vnpay"] = dict(
            gateways["vnpay"], pay_url=f"{fake_vnpay.url}/paymentv2/vpcpay.html"
        )
        gateways["momo"] = dict(gateways["momo"], endpoint=f"{fake_momo.url}/v2/gateway/api/create")
        gateways["zalopay"] = dict(gateways["zalopay"], endpoint=f"{fake_zalopay.url}/v2/create")
        settings.PAYWALL_GATEWAYS = gateways
        expected_ack = {
            "vnpay": lambda n: n[2] == {"RspCode": "00", "Message": "Confirm Success"},
            "momo": lambda n: n[1] == 204,
            "zalopay": lambda n: n[2] == {"return_code": 1, "return_message": "success"},
        }
        expected_replay = {
            "vnpay": lambda r: r[1]["RspCode"] == "02",
            "momo": lambda r: r[0] == 204,
            "zalopay": lambda r: r[1]["return_code"] == 2,
        }
        for gateway, fake in (
            ("vnpay", fake_vnpay),
            ("momo", fake_momo),
            ("zalopay", fake_zalopay),
        ):
            user = make_reader()
            client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=netloc)
            client.force_login(user)
            response = client.post("/goi-cuoc/thang/mua/", {"gateway": gateway})
            assert response.status_code == 302
            pay_url = response["Location"]
            assert pay_url.startswith(fake.url), pay_url
            order = Order.objects.get(user=user)
            assert Subscription.objects.get(user=user).status == SubscriptionStatus.PENDING
            back = browser_get(pay_url)
            assert expected_ack[gateway](fake.notifications[-1]), fake.notifications[-1]
            subscription = Subscription.objects.get(user=user)
            assert subscription.status == SubscriptionStatus.ACTIVE
            entry = LedgerEntry.objects.get(order=order)
            assert (entry.amount, entry.gateway, entry.kind) == (30_000, gateway, "payment")
            # The return page only shows the result, in Vietnamese.
            parts = urllib.parse.urlsplit(back)
            page = client.get(parts.path + "?" + parts.query)
            assert page.status_code == 200
            assert "Thanh toán thành công" in page.content.decode()
            before = snapshot()
            assert expected_replay[gateway](fake.replay())
            assert snapshot() == before
        # The merchant's requests were exactly what each contract expects.
        assert fake_vnpay.calls[0]["vnp_Amount"] == "3000000"  # amount × 100
        assert fake_momo.calls[0]["requestType"] == "captureWallet"
        assert fake_zalopay.calls[0]["app_trans_id"].split("_")[0].isdigit()


@pytest.mark.django_db
def test_imitation_gateways_never_outside_debug(settings):
    settings.PAYWALL_IMITATION_GATEWAYS = True  # even if someone sets it in production
    settings.DEBUG = False
    for gateway in ("vnpay", "momo", "zalopay"):
        assert Client().get(f"/thanh-toan/gia-lap/{gateway}/").status_code == 404


@pytest.mark.django_db
def test_return_address_only_shows_and_never_confirms(order_for):
    order = order_for("vnpay")
    cfg = settings.PAYWALL_GATEWAYS["vnpay"]
    params = {
        "vnp_Amount": str(order.amount * 100),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": cfg["tmn_code"],
        "vnp_TransactionNo": "1",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order.reference,
    }
    params["vnp_SecureHash"] = vnpay_hash(params, cfg["hash_secret"])
    client = Client()
    client.force_login(order.user)
    before = snapshot()
    page = client.get("/thanh-toan/vnpay/ket-qua/", params)
    assert page.status_code == 200 and "chờ xác nhận" in page.content.decode()
    assert snapshot() == before
    params["vnp_SecureHash"] = "0" * 128
    forged = client.get("/thanh-toan/vnpay/ket-qua/", params)
    assert forged.status_code == 400 and "không hợp lệ" in forged.content.decode()
    assert snapshot() == before


def test_deploy_check_refuses_public_sandbox_credentials():
    from paywall.checks import gateway_credentials

    ids = {error.id for error in gateway_credentials(None)}
    assert ids == {"paywall.E001"}


@pytest.mark.django_db
def test_gateway_down_cancels_the_order_with_a_clear_message(demo, make_reader, settings):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v2/gateway/api/create"
    settings.PAYWALL_GATEWAYS = dict(
        settings.PAYWALL_GATEWAYS, momo=dict(settings.PAYWALL_GATEWAYS["momo"], endpoint=dead)
    )
    user = make_reader()
    client = Client()
    client.force_login(user)
    page = client.post("/goi-cuoc/thang/mua/", {"gateway": "momo"}, follow=True)
    assert "Cổng thanh toán đang bận" in page.content.decode()
    order = Order.objects.get(user=user)
    assert order.status == "cancelled"
    assert Subscription.objects.get(user=user).status == SubscriptionStatus.CANCELLED
    assert not LedgerEntry.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_subscriptions_cannot_be_edited_by_hand_in_the_admin(order_for):
    """A subscription's state follows its order's; not even a superuser sets it by hand."""
    from django.contrib.auth import get_user_model

    order = order_for("vnpay")
    services.order_mark_failed(gateway="vnpay", reference=order.reference, amount=None)
    subscription = Subscription.objects.get(pk=order.subscription_id)
    admin = get_user_model().objects.create_superuser("sieu.quantri", "sq@example.vn", "x")
    client = Client()
    client.force_login(admin)
    url = f"/admin/snippets/paywall/subscription/edit/{subscription.pk}/"
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"status": "active", "user": order.user_id, "site": order.site_id})
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED
    listing = client.get("/admin/snippets/paywall/subscription/")
    assert listing.status_code == 200 and "/add/" not in listing.content.decode()
