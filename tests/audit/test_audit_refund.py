"""A refund from the admin is an audited payment-administration action."""

import pytest

from audit.models import AuditEntry
from tests.paywall.conftest import make_reader  # noqa: F401  (fixture)
from tests.paywall.test_reconciliation import fakes  # noqa: F401  (fixture)
from tests.paywall.test_refunds import cashier, paid_order, refund  # noqa: F401

pytestmark = pytest.mark.django_db


def test_refund_is_recorded_with_amount_and_reason(fakes, demo, make_reader, cashier):  # noqa: F811
    order = paid_order(fakes, make_reader, "momo")
    page = refund(cashier, order, 10000, "AUDIT111", reason="Độc giả trả trùng hai lần")
    assert "Đã hoàn 10.000 đồng" in page
    entries = list(AuditEntry.objects.filter(action="paywall.refund"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_name == "ke-toan" and entry.ip_address == "127.0.0.1"
    assert entry.object_type == "paywall.order" and entry.object_id == str(order.pk)
    assert entry.data["amount"] == 10000
    assert entry.data["reason"] == "Độc giả trả trùng hai lần"
    # The same submission again refunds nothing and records nothing more.
    refund(cashier, order, 10000, "AUDIT111")
    assert AuditEntry.objects.filter(action="paywall.refund").count() == 1
