"""ZaloPay payment gateway, API v2 (docs.zalopay.vn).

Create: POST {endpoint} (form) with mac = HMAC-SHA256(key1,
"app_id|app_trans_id|app_user|amount|app_time|embed_data|item"); the answer carries
order_url. app_trans_id starts with yymmdd in Vietnam time. Callback: POST JSON
{"data": "<json string>", "mac": HMAC-SHA256(key2, data), "type": 1}, the MAC over the
raw data string as received; answered {"return_code": 1|2|..., "return_message": ...}."""

import hashlib
import hmac
import json
import time
import urllib.parse

from django.urls import reverse
from django.utils import timezone

from ..models import Gateway, Order
from ..services import Confirm, order_confirm_payment, order_find, order_mark_failed
from . import config, imitation_enabled
from .http import post


def mac(key: str, message: str) -> str:
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def order_mac_input(params: dict) -> str:
    return "|".join(
        str(params[k])
        for k in ("app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item")
    )


def create_request(order, request) -> dict:
    cfg = config("zalopay")
    if not order.gateway_order_id:
        order.gateway_order_id = (
            timezone.localtime(order.created_at).strftime("%y%m%d") + "_" + order.reference
        )
        Order.objects.filter(pk=order.pk).update(gateway_order_id=order.gateway_order_id)
    params = {
        "app_id": int(cfg["app_id"]),
        "app_trans_id": order.gateway_order_id,
        "app_user": f"reader{order.user_id}",
        "app_time": int(time.time() * 1000),
        "amount": order.amount,
        "item": "[]",
        "embed_data": json.dumps(
            {"redirecturl": request.build_absolute_uri(reverse("paywall:zalopay_return"))},
            separators=(",", ":"),
        ),
        "description": f"Hoi Tu - Thanh toan goi {order.plan.name} #{order.reference}",
        "bank_code": "",
        "callback_url": request.build_absolute_uri(reverse("paywall:zalopay_callback")),
    }
    params["mac"] = mac(cfg["key1"], order_mac_input(params))
    return params


def payment_url(order, request) -> str:
    params = create_request(order, request)
    if imitation_enabled():
        return (
            request.build_absolute_uri(reverse("paywall:imitation", args=["zalopay"]))
            + "?"
            + urllib.parse.urlencode(params)
        )
    answer = post(
        config("zalopay")["endpoint"],
        urllib.parse.urlencode(params).encode(),
        "application/x-www-form-urlencoded",
    )
    if answer.get("return_code") != 1 or not answer.get("order_url"):
        raise ValueError(
            f"ZaloPay refused the order: {answer.get('return_code')} {answer.get('return_message')}"
        )
    return answer["order_url"]


def _answer(code: int, message: str) -> dict:
    return {"return_code": code, "return_message": message}


def handle_callback(body: bytes) -> dict:
    """Checks the MAC over the raw data string, then order, amount, already confirmed."""
    try:
        envelope = json.loads(body.decode("utf-8"))
        data_raw = envelope["data"]
        given = str(envelope["mac"])
        assert isinstance(data_raw, str)
    except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError):
        return _answer(-1, "invalid request")
    if not hmac.compare_digest(given, mac(config("zalopay")["key2"], data_raw)):
        return _answer(-1, "mac not equal")
    try:
        data = json.loads(data_raw)
        reference = str(data["app_trans_id"])
        amount = int(data["amount"])
    except (ValueError, KeyError, TypeError):
        return _answer(-1, "invalid data")
    if str(data.get("app_id")) != str(config("zalopay")["app_id"]):
        return _answer(-1, "invalid app_id")
    if order_find(gateway=Gateway.ZALOPAY, reference=reference) is None:
        return _answer(0, "order not found")
    outcome = order_confirm_payment(
        gateway=Gateway.ZALOPAY,
        reference=reference,
        amount=amount,
        gateway_ref=str(data.get("zp_trans_id", "")),
    )
    return {
        Confirm.OK: _answer(1, "success"),
        Confirm.ALREADY: _answer(2, "already confirmed"),
        Confirm.WRONG_AMOUNT: _answer(0, "amount mismatch"),
        Confirm.NOT_FOUND: _answer(0, "order not found"),
    }[outcome]


def api_url(name: str) -> str:
    """query / refund live beside create: {base}/v2/{name}."""
    cfg = config("zalopay")
    return cfg.get(f"{name}_url") or cfg["endpoint"].rsplit("/", 1)[0] + "/" + name


def _form_post(name: str, params: dict) -> dict:
    return post(
        api_url(name), urllib.parse.urlencode(params).encode(), "application/x-www-form-urlencoded"
    )


def query(order) -> dict:
    """POST /v2/query {app_id, app_trans_id, mac = HMAC(key1, app_id|app_trans_id|key1)}."""
    cfg = config("zalopay")
    params = {"app_id": cfg["app_id"], "app_trans_id": order.gateway_order_id}
    params["mac"] = mac(cfg["key1"], f"{cfg['app_id']}|{order.gateway_order_id}|{cfg['key1']}")
    return _form_post("query", params)


def reconcile(order) -> str:
    """Asks ZaloPay about a pending order: 1 paid, 2 failed, 3 not paid yet/processing."""
    if not order.gateway_order_id:
        return "pending"  # never sent to ZaloPay: nothing to ask
    answer = query(order)
    code = answer.get("return_code")
    if code == 1:
        try:
            amount = int(answer.get("amount"))
        except (TypeError, ValueError):
            amount = -1
        return order_confirm_payment(
            gateway=Gateway.ZALOPAY,
            reference=order.gateway_order_id,
            amount=amount,
            gateway_ref=str(answer.get("zp_trans_id", "")),
            reconciled=True,
        )
    if code == 2:
        return order_mark_failed(
            gateway=Gateway.ZALOPAY,
            reference=order.gateway_order_id,
            amount=None,
            reconciled=True,
        )
    return "pending"


def refund_id(order, token: str) -> str:
    """m_refund_id: yymmdd_appid_xxx (Vietnam date)."""
    day = timezone.localtime().strftime("%y%m%d")
    return f"{day}_{config('zalopay')['app_id']}_{order.reference}R{token}"


def refund(refund) -> tuple[str, str, str]:
    """POST /v2/refund, mac = HMAC(key1, app_id|zp_trans_id|amount|description|timestamp).
    return_code 1 refunded, 2 refused, 3 still processing."""
    cfg = config("zalopay")
    params = {
        "m_refund_id": refund.request_id,
        "app_id": cfg["app_id"],
        "zp_trans_id": refund.order.gateway_ref,
        "amount": refund.amount,
        "timestamp": int(time.time() * 1000),
        "description": f"Hoan tien don {refund.order.reference}",
    }
    params["mac"] = mac(
        cfg["key1"],
        "|".join(
            str(params[k]) for k in ("app_id", "zp_trans_id", "amount", "description", "timestamp")
        ),
    )
    answer = _form_post("refund", params)
    code = answer.get("return_code")
    message = f"ZaloPay {code}/{answer.get('sub_return_code')}: {answer.get('return_message', '')}"
    if code == 1:
        return "succeeded", str(answer.get("refund_id", "")), message
    return ("failed" if code == 2 else "pending"), "", message


def return_result(params: dict):
    """ZaloPay's redirect carries a checksum HMAC(key2, appid|apptransid|pmcid|bankcode|
    amount|discountamount|status)."""
    keys = ("appid", "apptransid", "pmcid", "bankcode", "amount", "discountamount", "status")
    expected = mac(config("zalopay")["key2"], "|".join(str(params.get(k, "")) for k in keys))
    valid = hmac.compare_digest(str(params.get("checksum", "")), expected)
    order = order_find(gateway=Gateway.ZALOPAY, reference=params.get("apptransid", ""))
    return valid, str(params.get("status")) == "1", order if valid else None
