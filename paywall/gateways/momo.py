"""MoMo payment gateway, captureWallet on API v2 (developers.momo.vn).

Create: POST {endpoint} JSON with signature = HMAC-SHA256(secretKey, raw) where raw is
"accessKey=..&amount=..&extraData=..&ipnUrl=..&orderId=..&orderInfo=..&partnerCode=..
&redirectUrl=..&requestId=..&requestType=.." (values unencoded). The answer carries payUrl.
IPN: POST JSON, signature over "accessKey&amount&extraData&message&orderId&orderInfo
&orderType&partnerCode&payType&requestId&responseTime&resultCode&transId"; the partner
answers HTTP 204 No Content."""

import hashlib
import hmac
import json
import urllib.parse

from django.urls import reverse

from ..models import Gateway
from ..services import Confirm, order_confirm_payment, order_find, order_mark_failed
from . import config, imitation_enabled
from .http import post

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
    answer = post(config("momo")["endpoint"], json.dumps(body).encode(), "application/json")
    if answer.get("resultCode") != 0 or not answer.get("payUrl"):
        raise ValueError(
            f"MoMo refused the order: {answer.get('resultCode')} {answer.get('message')}"
        )
    return answer["payUrl"]


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
    if str(payload.get("resultCode")) == "0":
        outcome = order_confirm_payment(
            gateway=Gateway.MOMO,
            reference=reference,
            amount=amount,
            gateway_ref=str(payload.get("transId", "")),
        )
    else:
        outcome = order_mark_failed(gateway=Gateway.MOMO, reference=reference, amount=amount)
    if outcome == Confirm.WRONG_AMOUNT:
        return 400, {"resultCode": 22, "message": "Invalid amount."}
    return 204, None


def return_result(params: dict):
    valid = verify_ipn(params)
    order = order_find(gateway=Gateway.MOMO, reference=params.get("orderId", ""))
    return valid, str(params.get("resultCode")) == "0", order if valid else None
