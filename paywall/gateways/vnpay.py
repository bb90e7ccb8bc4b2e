"""VNPay payment gateway, API v2.1.0.

Contract (sandbox.vnpayment.vn/apis/docs): the merchant redirects the reader to the pay
URL with vnp_* parameters and vnp_SecureHash = HMAC-SHA512(secret, query) where query is
the parameters sorted by name, URL-encoded (quote_plus), joined with '&'. vnp_Amount is
the amount × 100. The return URL only shows the result; the server-to-server IPN (GET)
confirms and is answered {"RspCode": ..., "Message": ...}."""

import hashlib
import hmac
import json
import logging
import urllib.parse

from django.urls import reverse
from django.utils import timezone

from ..models import Gateway
from ..services import Confirm, order_confirm_payment, order_find, order_mark_failed
from . import UntrustedAnswer, config, imitation_enabled
from .http import post

logger = logging.getLogger(__name__)

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
    # The order's own time: querydr and refund must repeat it as vnp_TransactionDate.
    now = timezone.localtime(order.created_at)
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
    Confirm.WRONG_AMOUNT: ("04", "invalid amount"),
}


def _answer(code: str, message: str) -> dict:
    return {"RspCode": code, "Message": message}


def handle_ipn(params: dict) -> dict:
    """Any unexpected error answers RspCode 99 (VNPay's "other error", HTTP 200), never an
    HTTP 500: VNPay then retries the IPN, and nothing was half-written (one transaction)."""
    try:
        return _handle_ipn(params)
    except Exception:
        logger.exception("VNPay IPN for %s failed", params.get("vnp_TxnRef", "?"))
        return _answer("99", "Unknow error")


def _handle_ipn(params: dict) -> dict:
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


# querydr and refund (JSON API): each signs "|"-joined fields in its own order.
QUERY_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
QUERY_ANSWER_FIELDS = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
]
REFUND_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
REFUND_ANSWER_FIELDS = QUERY_ANSWER_FIELDS[:13]
DEFAULT_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
# Not found at VNPay this long after the order: the reader never paid (the pay link
# lives 15 minutes).
NEVER_PAID_AFTER = timezone.timedelta(minutes=20)


def pipe_hash(values: dict, fields: list, secret: str) -> str:
    data = "|".join(str(values.get(name, "")) for name in fields)
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def api_call(body: dict, fields: list, answer_fields: list) -> dict:
    """Signs a querydr/refund request, posts it, and checks the answer's own checksum."""
    cfg = config("vnpay")
    body["vnp_SecureHash"] = pipe_hash(body, fields, cfg["hash_secret"])
    answer = post(
        cfg.get("api_url") or DEFAULT_API_URL, json.dumps(body).encode(), "application/json"
    )
    given = str(answer.get("vnp_SecureHash", "")).lower()
    expected = pipe_hash(answer, answer_fields, cfg["hash_secret"])
    if not given or not hmac.compare_digest(given, expected):
        raise UntrustedAnswer(f"VNPay {body['vnp_Command']} answer has a wrong checksum")
    if answer.get("vnp_TxnRef") not in (None, "", body["vnp_TxnRef"]):
        raise UntrustedAnswer(f"VNPay answer for {body['vnp_TxnRef']} is for another order")
    return answer


def _common(order, command: str, request_id: str) -> dict:
    return {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": command,
        "vnp_TmnCode": config("vnpay")["tmn_code"],
        "vnp_TxnRef": order.reference,
        "vnp_TransactionDate": timezone.localtime(order.created_at).strftime("%Y%m%d%H%M%S"),
        "vnp_CreateDate": timezone.localtime().strftime("%Y%m%d%H%M%S"),
        "vnp_IpAddr": "127.0.0.1",
    }


def query(order) -> dict:
    body = _common(order, "querydr", f"{order.reference}Q{order.checks}")
    body["vnp_OrderInfo"] = f"Doi soat don {order.reference}"
    return api_call(body, QUERY_FIELDS, QUERY_ANSWER_FIELDS)


def reconcile(order) -> str:
    """Asks VNPay (querydr) about a pending order and settles it like the IPN would."""
    answer = query(order)
    code, status = answer.get("vnp_ResponseCode"), answer.get("vnp_TransactionStatus")
    if code == "91" and timezone.now() - order.created_at > NEVER_PAID_AFTER:
        return order_mark_failed(
            gateway=Gateway.VNPAY, reference=order.reference, amount=None, reconciled=True
        )
    if code != "00" or status not in ("00", "02"):
        return "pending"  # not completed yet, or VNPay could not answer: ask again later
    try:
        raw_amount = int(answer.get("vnp_Amount", ""))
    except ValueError:
        raw_amount = -1
    amount = raw_amount // 100 if raw_amount % 100 == 0 else -1
    if status == "00":
        return order_confirm_payment(
            gateway=Gateway.VNPAY,
            reference=order.reference,
            amount=amount,
            gateway_ref=answer.get("vnp_TransactionNo", ""),
            reconciled=True,
        )
    return order_mark_failed(
        gateway=Gateway.VNPAY, reference=order.reference, amount=amount, reconciled=True
    )


def refund(refund) -> tuple[str, str, str]:
    """vnp_Command=refund: 02 full, 03 partial; amount × 100; the payment's
    vnp_TransactionNo and vnp_TransactionDate (the order's vnp_CreateDate)."""
    order = refund.order
    body = _common(order, "refund", refund.request_id)
    body.update(
        vnp_TransactionType="02" if refund.amount == order.amount else "03",
        vnp_Amount=refund.amount * 100,
        vnp_TransactionNo=order.gateway_ref,
        vnp_CreateBy=refund.requested_by.get_username()[:250],
        vnp_OrderInfo=f"Hoan tien don {order.reference}",
    )
    answer = api_call(body, REFUND_FIELDS, REFUND_ANSWER_FIELDS)
    code = answer.get("vnp_ResponseCode")
    message = f"VNPay {code}: {answer.get('vnp_Message', '')}"
    if code == "00":
        return "succeeded", str(answer.get("vnp_TransactionNo", "")), message
    # 94: the same request again (the first may have gone through); 99: unknown.
    return ("pending" if code in ("94", "99") else "failed"), "", message


def return_result(params: dict):
    """For the return page only: (signature valid, success reported, order or None)."""
    cfg = config("vnpay")
    valid = verify(params, cfg["hash_secret"])
    order = order_find(gateway=Gateway.VNPAY, reference=params.get("vnp_TxnRef", ""))
    return valid, params.get("vnp_ResponseCode") == "00", order if valid else None
