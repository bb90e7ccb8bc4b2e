"""VNPay payment gateway, API v2.1.0.

Contract (sandbox.vnpayment.vn/apis/docs): the merchant redirects the reader to the pay
URL with vnp_* parameters and vnp_SecureHash = HMAC-SHA512(secret, query) where query is
the parameters sorted by name, URL-encoded (quote_plus), joined with '&'. vnp_Amount is
the amount × 100. The return URL only shows the result; the server-to-server IPN (GET)
confirms and is answered {"RspCode": ..., "Message": ...}."""

import hashlib
import hmac
import urllib.parse

from django.urls import reverse
from django.utils import timezone

from ..models import Gateway
from ..services import Confirm, order_confirm_payment, order_find, order_mark_failed
from . import config, imitation_enabled

VERSION = "2.1.0"


def canonical(params: dict) -> str:
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k not in ("vnp_SecureHash", "vnp_SecureHashType") and v not in (None, "")
    )
    return "&".join(f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}" for k, v in items)


def sign(params: dict, secret: str) -> str:
    return hmac.new(
        secret.encode("utf-8"), canonical(params).encode("utf-8"), hashlib.sha512
    ).hexdigest()


def verify(params: dict, secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", ""))
    return bool(given) and hmac.compare_digest(given.lower(), sign(params, secret))


def payment_url(order, request) -> str:
    cfg = config("vnpay")
    now = timezone.localtime()
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": cfg["tmn_code"],
        "vnp_Amount": order.amount * 100,
        "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
        "vnp_ExpireDate": (now + timezone.timedelta(minutes=15)).strftime("%Y%m%d%H%M%S"),
        "vnp_CurrCode": "VND",
        "vnp_IpAddr": request.META.get("REMOTE_ADDR", "127.0.0.1"),
        "vnp_Locale": "vn",
        "vnp_OrderInfo": f"Thanh toan goi {order.plan.slug} don {order.reference}",
        "vnp_OrderType": "other",
        "vnp_ReturnUrl": request.build_absolute_uri(reverse("paywall:vnpay_return")),
        "vnp_TxnRef": order.reference,
    }
    params["vnp_SecureHash"] = sign(params, cfg["hash_secret"])
    base = cfg["pay_url"]
    if imitation_enabled():
        base = request.build_absolute_uri(reverse("paywall:imitation", args=["vnpay"]))
    return base + "?" + urllib.parse.urlencode(params)


RESPONSES = {
    Confirm.OK: ("00", "Confirm Success"),
    Confirm.NOT_FOUND: ("01", "Order not found"),
    Confirm.ALREADY: ("02", "Order already confirmed"),
    Confirm.CANCELLED: ("02", "Order already confirmed"),
    Confirm.WRONG_AMOUNT: ("04", "invalid amount"),
}


def _answer(code: str, message: str) -> dict:
    return {"RspCode": code, "Message": message}


def handle_ipn(params: dict) -> dict:
    """Checks signature, order, amount, already confirmed — in that order."""
    cfg = config("vnpay")
    if not verify(params, cfg["hash_secret"]) or params.get("vnp_TmnCode") != cfg["tmn_code"]:
        return _answer("97", "Invalid signature")
    reference = params.get("vnp_TxnRef", "")
    if order_find(gateway=Gateway.VNPAY, reference=reference) is None:
        return _answer("01", "Order not found")
    try:
        raw_amount = int(params.get("vnp_Amount", ""))
    except ValueError:
        return _answer("04", "invalid amount")
    amount = raw_amount // 100 if raw_amount % 100 == 0 else -1
    success = params.get("vnp_ResponseCode") == "00" and (
        params.get("vnp_TransactionStatus", "00") == "00"
    )
    if success:
        outcome = order_confirm_payment(
            gateway=Gateway.VNPAY,
            reference=reference,
            amount=amount,
            gateway_ref=params.get("vnp_TransactionNo", ""),
        )
    else:
        outcome = order_mark_failed(gateway=Gateway.VNPAY, reference=reference, amount=amount)
    return _answer(*RESPONSES[outcome])


def return_result(params: dict):
    """For the return page only: (signature valid, success reported, order or None)."""
    cfg = config("vnpay")
    valid = verify(params, cfg["hash_secret"])
    order = order_find(gateway=Gateway.VNPAY, reference=params.get("vnp_TxnRef", ""))
    return valid, params.get("vnp_ResponseCode") == "00", order if valid else None
