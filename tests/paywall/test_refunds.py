"""Refunds from the admin through each gateway's refund API (issue 16): partial then full,
idempotent, booked in the append-only ledger only on the gateway's yes; staff-only."""

import socket
import urllib.parse

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from paywall.models import LedgerEntry, Order, Refund, Subscription, SubscriptionStatus

from .conftest import BROWSER_UA
from .test_gateways import browser_get, snapshot
from .test_reconciliation import fakes  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def paid_order(fakes, make_reader, gateway):  # noqa: F811
    user = make_reader()
    netloc = urllib.parse.urlsplit(fakes["base"]).netloc
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=netloc)
    client.force_login(user)
    browser_get(client.post("/goi-cuoc/thang/mua/", {"gateway": gateway})["Location"])
    order = Order.objects.get(user=user)
    assert order.status == "paid"
    return order


@pytest.fixture
def cashier(django_user_model):
    """Staff with the refund permission (not a superuser)."""
    user = django_user_model.objects.create_user(
        username="ke-toan", email="ketoan@baothanhhoa.vn", password="x" * 12, is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="refund_order"),
    )
    client = Client()
    client.force_login(user)
    return client


def refund(client, order, amount, token, reason="Độc giả trả trùng"):
    url = f"/admin/thu-phi/don/{order.pk}/hoan-tien/"
    response = client.post(url, {"amount": amount, "reason": reason, "token": token}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "zalopay"])
def test_partial_then_full_refund_reaches_the_gateway_and_the_ledger(
    fakes,  # noqa: F811
    demo,
    make_reader,
    cashier,
    gateway,
):
    order = paid_order(fakes, make_reader, gateway)
    fake = fakes[gateway]
    page = cashier.get(f"/admin/thu-phi/don/{order.pk}/hoan-tien/").content.decode()
    assert "Còn hoàn được" in page and "30.000 đ" in page
    page = refund(cashier, order, 10000, "AAAA1111")
    assert "Đã hoàn 10.000 đồng qua cổng thanh toán" in page
    assert len(fake.refunds) == 1
    sent = fake.refunds[0]["amount"]
    assert sent == (10000 * 100 if gateway == "vnpay" else 10000)
    entries = LedgerEntry.objects.filter(order=order, kind="refund")
    assert [e.amount for e in entries] == [-10000]
    assert Subscription.objects.get(order=order).status == SubscriptionStatus.ACTIVE
    # The same submission again (double click, reload): nothing more is refunded.
    before = snapshot()
    refund(cashier, order, 10000, "AAAA1111")
    assert len(fake.refunds) == 1 and snapshot() == before
    # More than is left: refused in Vietnamese, nothing sent.
    page = refund(cashier, order, 25000, "BBBB2222")
    assert "Số tiền hoàn phải từ 1 đến 20.000 đồng" in page
    assert len(fake.refunds) == 1 and snapshot() == before
    # The rest: the subscription ends.
    page = refund(cashier, order, 20000, "CCCC3333")
    assert "Đã hoàn 20.000 đồng" in page
    assert len(fake.refunds) == 2
    assert sorted(e.amount for e in LedgerEntry.objects.filter(order=order, kind="refund")) == [
        -20000,
        -10000,
    ]
    assert LedgerEntry.objects.filter(order=order, kind="cancellation").count() == 1
    assert Subscription.objects.get(order=order).status == SubscriptionStatus.CANCELLED
    assert all(r.gateway_ref for r in Refund.objects.filter(order=order))


def test_refund_refused_by_the_gateway_books_nothing(fakes, demo, make_reader, cashier):  # noqa: F811
    order = paid_order(fakes, make_reader, "momo")
    fakes["momo"].refunds.append(  # someone refunded it on MoMo's portal meanwhile
        {"orderId": order.reference, "refundOrderId": "x", "amount": 30000, "transId": 1}
    )
    before = snapshot()
    page = refund(cashier, order, 5000, "DDDD4444")
    assert "Cổng thanh toán từ chối hoàn tiền: MoMo 1080" in page
    assert snapshot() == before
    assert Refund.objects.get(order=order).status == "failed"


def test_lost_answer_keeps_the_refund_pending_then_resend_settles_it(
    fakes,  # noqa: F811
    demo,
    make_reader,
    cashier,
    settings,
):
    order = paid_order(fakes, make_reader, "zalopay")
    endpoint = settings.PAYWALL_GATEWAYS["zalopay"]["endpoint"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v2/create"
        settings.PAYWALL_GATEWAYS["zalopay"] = dict(
            settings.PAYWALL_GATEWAYS["zalopay"], endpoint=dead
        )
        before = snapshot()
        page = refund(cashier, order, 30000, "EEEE5555")
    assert "Chưa rõ kết quả hoàn tiền" in page
    assert snapshot() == before, "nothing booked without the gateway's yes"
    pending = Refund.objects.get(order=order)
    assert pending.status == "pending"
    page = refund(cashier, order, 1000, "FFFF6666")
    assert "Số tiền hoàn phải từ 1 đến 0 đồng" in page, "the pending amount is reserved"
    settings.PAYWALL_GATEWAYS["zalopay"] = dict(
        settings.PAYWALL_GATEWAYS["zalopay"], endpoint=endpoint
    )
    response = cashier.post(
        f"/admin/thu-phi/don/{order.pk}/hoan-tien/", {"resend": pending.pk}, follow=True
    )
    assert "Đã hoàn 30.000 đồng" in response.content.decode()
    assert len(fakes["zalopay"].refunds) == 1
    assert fakes["zalopay"].refunds[0]["m_refund_id"] == pending.request_id
    assert LedgerEntry.objects.get(order=order, kind="refund").amount == -30000


def test_refund_is_staff_only_with_permission(demo, django_user_model):
    order = Order.objects.first() or pytest.skip("no order in the demo")
    staff = django_user_model.objects.create_user(username="bt", password="x" * 12)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(staff)
    # Wagtail turns the refusal into a redirect to the dashboard with its message.
    page = client.get(f"/admin/thu-phi/don/{order.pk}/hoan-tien/", follow=True)
    assert "Hoàn tiền qua cổng thanh toán" not in page.content.decode()
    response = client.post(
        f"/admin/thu-phi/don/{order.pk}/hoan-tien/",
        {"amount": 1000, "reason": "x", "token": "GGGG7777"},
    )
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert not Refund.objects.exists()
