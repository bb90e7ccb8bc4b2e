"""MoMo payment gateway, captureWallet on API v2 (developers.momo.vn).

Create: POST {endpoint} JSON with signature = HMAC-SHA256(secretKey, raw) where raw is
"accessKey=..&amount=..&extraData=..&ipnUrl=..&orderId=..&orderInfo=..&partnerCode=..
&redirectUrl=..&requestId=..&requestType=.." (values unencoded). The answer carries payUrl.
The create answer is signed too, over "accessKey&amount&orderId&partnerCode&payUrl
&requestId&responseTime&resultCode": it is checked before the reader is sent to payUrl.
IPN: POST JSON, signature over "accessKey&amount&extraData&message&orderId&orderInfo
&orderType&partnerCode&payType&requestId&responseTime&resultCode&transId"; the partner
answers HTTP 204 No Content.

Result codes (MoMo's table): 0 paid; 9000 authorised — with captureWallet's automatic
capture the money is captured and a 0 follows, so the order stays pending; 1000, 7000,
7002 and 8000 are "still in progress"; the codes in FAILED end the order. A code not in
the table changes nothing: reconciliation asks MoMo again later."""

import hashlib
import hmac
import json
import logging
import urllib.parse

from django.urls import reverse

from ..models import Gateway
from ..services import Confirm, order_confirm_payment, order_find, order_mark_failed
from . import UntrustedAnswer, config, imitation_enabled
from .http import post

logger = logging.getLogger(__name__)

CREATE_FIELDS = [
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
]
IPN_FIELDS = [
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
]


CREATE_RESPONSE_FIELDS = [
    "accessKey",
    "amount",
    "orderId",
    "partnerCode",
    "payUrl",
    "requestId",
    "responseTime",
    "resultCode",
]
PAID = 0
# Authorised (captured automatically: a 0 follows) or still waiting for the reader/bank.
IN_PROGRESS = {9000, 1000, 7000, 7002, 8000}
# Final failures from MoMo's result code table.
FAILED = {
    10, 11, 12, 13, 20, 21, 22, 40, 41, 42, 43, 45, 47, 98, 99,
    1001, 1002, 1003, 1004, 1005, 1006, 1007, 1017, 1026, 1080, 1081, 1088,
    2019, 4001, 4002, 4100,
}  # fmt: skip


def result_code(payload: dict) -> int | None:
    try:
        return int(payload.get("resultCode"))
    except (TypeError, ValueError):
        return None


def raw_string(fields: list, values: dict) -> str:
    return "&".join(f"{name}={values.get(name, '')}" for name in fields)


def sign(raw: str, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), raw.encode("utf-8"), hashlib.sha256).hexdigest()


def create_request(order, request) -> dict:
    cfg = config("momo")
    body = {
        "partnerCode": cfg["partner_code"],
        "requestId": order.reference,
        "amount": order.amount,
        "orderId": order.reference,
        "orderInfo": f"Thanh toan goi {order.plan.name} ({order.reference})",
        "redirectUrl": request.build_absolute_uri(reverse("paywall:momo_return")),
        "ipnUrl": request.build_absolute_uri(reverse("paywall:momo_ipn")),
        "requestType": "captureWallet",
        "extraData": "",
        "lang": "vi",
    }
    values = dict(body, accessKey=cfg["access_key"])
    body["signature"] = sign(raw_string(CREATE_FIELDS, values), cfg["secret_key"])
    return body


def payment_url(order, request) -> str:
    body = create_request(order, request)
    if imitation_enabled():
        return (
            request.build_absolute_uri(reverse("paywall:imitation", args=["momo"]))
            + "?"
            + urllib.parse.urlencode(body)
        )
    cfg = config("momo")
    answer = post(cfg["endpoint"], json.dumps(body).encode(), "application/json")
    if answer.get("resultCode") != 0 or not answer.get("payUrl"):
        raise ValueError(
            f"MoMo refused the order: {answer.get('resultCode')} {answer.get('message')}"
        )
    if not signed_by_momo(answer, CREATE_RESPONSE_FIELDS):
        # A forged or tampered answer could send the reader to someone else's page.
        raise UntrustedAnswer(f"MoMo create answer for {order.reference} is not signed by MoMo")
    if str(answer.get("orderId")) != order.reference or int(answer["amount"]) != order.amount:
        raise UntrustedAnswer(f"MoMo create answer for {order.reference} is for another order")
    return answer["payUrl"]


def signed_by_momo(answer: dict, fields: list) -> bool:
    cfg = config("momo")
    expected = sign(
        raw_string(fields, dict(answer, accessKey=cfg["access_key"])), cfg["secret_key"]
    )
    given = str(answer.get("signature") or "")
    return bool(given) and hmac.compare_digest(given, expected)


def verify_ipn(payload: dict) -> bool:
    cfg = config("momo")
    values = dict(payload, accessKey=cfg["access_key"])
    expected = sign(raw_string(IPN_FIELDS, values), cfg["secret_key"])
    given = str(payload.get("signature", ""))
    return bool(given) and hmac.compare_digest(given, expected)


def handle_ipn(body: bytes) -> tuple[int, dict | None]:
    """Returns (HTTP status, JSON body or None). 204 when handled (also a replay)."""
    try:
        payload = json.loads(body.decode("utf-8"))
        assert isinstance(payload, dict)
    except (ValueError, AssertionError, UnicodeDecodeError):
        return 400, {"resultCode": 20, "message": "Bad format request."}
    if not verify_ipn(payload) or payload.get("partnerCode") != config("momo")["partner_code"]:
        return 400, {"resultCode": 11, "message": "Invalid signature."}
    reference = str(payload.get("orderId", ""))
    if order_find(gateway=Gateway.MOMO, reference=reference) is None:
        return 400, {"resultCode": 42, "message": "Order not found."}
    try:
        amount = int(payload.get("amount"))
    except (TypeError, ValueError):
        amount = -1
    outcome = settle(reference, result_code(payload), amount, str(payload.get("transId", "")))
    if outcome == Confirm.WRONG_AMOUNT:
        return 400, {"resultCode": 22, "message": "Invalid amount."}
    return 204, None


def settle(reference: str, code: int | None, amount: int, trans_id: str, reconciled=False):
    """The one state machine for a verified IPN or query answer: paid, failed, or (still
    in progress, or a code MoMo does not document) nothing changes."""
    if code == PAID:
        return order_confirm_payment(
            gateway=Gateway.MOMO,
            reference=reference,
            amount=amount,
            gateway_ref=trans_id,
            reconciled=reconciled,
        )
    if code in FAILED:
        return order_mark_failed(
            gateway=Gateway.MOMO, reference=reference, amount=amount, reconciled=reconciled
        )
    if code not in IN_PROGRESS:
        logger.warning("MoMo result code %s for %s is not in MoMo's table", code, reference)
    return "pending"


QUERY_FIELDS = ["accessKey", "orderId", "partnerCode", "requestId"]


def api_url(name: str) -> str:
    """query / refund live beside create: {base}/v2/gateway/api/{name}."""
    cfg = config("momo")
    return cfg.get(f"{name}_url") or cfg["endpoint"].rsplit("/", 1)[0] + "/" + name


def query(order) -> dict:
    """POST /v2/gateway/api/query, signed over accessKey&orderId&partnerCode&requestId."""
    cfg = config("momo")
    body = {
        "partnerCode": cfg["partner_code"],
        "requestId": f"{order.reference}Q{order.checks}",
        "orderId": order.reference,
        "lang": "vi",
    }
    values = dict(body, accessKey=cfg["access_key"])
    body["signature"] = sign(raw_string(QUERY_FIELDS, values), cfg["secret_key"])
    answer = post(api_url("query"), json.dumps(body).encode(), "application/json")
    if (
        str(answer.get("orderId")) != order.reference
        or answer.get("partnerCode") != cfg["partner_code"]
    ):
        raise UntrustedAnswer(f"MoMo query answer for {order.reference} is for another order")
    return answer


def reconcile(order) -> str:
    """Asks MoMo about a pending order and settles it like an IPN would."""
    answer = query(order)
    try:
        amount = int(answer.get("amount"))
    except (TypeError, ValueError):
        amount = -1
    return settle(
        order.reference,
        result_code(answer),
        amount,
        str(answer.get("transId", "")),
        reconciled=True,
    )


REFUND_FIELDS = [
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
]
# A refund MoMo is still carrying out, or a repeat of one already sent (41: same orderId),
# whose result is not known from this answer: the refund stays pending.
REFUND_UNKNOWN = {41, 1000, 7000, 7002, 8000, 9000}


def refund(refund) -> tuple[str, str, str]:
    """POST /v2/gateway/api/refund: orderId is the refund's own id, transId the payment's.
    Returns (succeeded | failed | pending, MoMo's refund transId, MoMo's message)."""
    cfg = config("momo")
    body = {
        "partnerCode": cfg["partner_code"],
        "orderId": refund.request_id,
        "requestId": refund.request_id,
        "amount": refund.amount,
        "transId": int(refund.order.gateway_ref),
        "lang": "vi",
        "description": f"Hoan tien don {refund.order.reference}",
    }
    values = dict(body, accessKey=cfg["access_key"])
    body["signature"] = sign(raw_string(REFUND_FIELDS, values), cfg["secret_key"])
    answer = post(api_url("refund"), json.dumps(body).encode(), "application/json")
    code = result_code(answer)
    message = f"MoMo {code}: {answer.get('message', '')}"
    if code == PAID:
        return "succeeded", str(answer.get("transId", "")), message
    return ("pending" if code in REFUND_UNKNOWN else "failed"), "", message


def return_result(params: dict):
    valid = verify_ipn(params)
    order = order_find(gateway=Gateway.MOMO, reference=params.get("orderId", ""))
    return valid, str(params.get("resultCode")) == "0", order if valid else None
