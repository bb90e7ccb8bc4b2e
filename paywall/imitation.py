"""Dev-only imitation of the three gateways' payment pages (make run, DEBUG). It checks
the merchant's signature like the gateway would, sends the gateway's signed notification
to our own handler, then redirects the reader to the return address. Never used when
DEBUG is off (see gateways.imitation_enabled)."""

import json
import time
import urllib.parse

from .gateways import config, momo, vnpay, zalopay
from .models import Gateway, Order


def order_for(gateway: str, params: dict) -> Order:
    if gateway == "vnpay":
        if not vnpay.verify(params, config("vnpay")["hash_secret"]):
            raise ValueError("Invalid vnp_SecureHash")
        reference = params.get("vnp_TxnRef", "")
    elif gateway == "momo":
        cfg = config("momo")
        raw = momo.raw_string(momo.CREATE_FIELDS, dict(params, accessKey=cfg["access_key"]))
        if params.get("signature") != momo.sign(raw, cfg["secret_key"]):
            raise ValueError("Invalid signature")
        reference = params.get("orderId", "")
    else:
        if params.get("mac") != zalopay.mac(
            config("zalopay")["key1"], zalopay.order_mac_input(params)
        ):
            raise ValueError("Invalid mac")
        reference = params.get("app_trans_id", "")
    order = (
        Order.objects.filter(gateway=gateway, reference=reference).first()
        or Order.objects.filter(gateway=gateway, gateway_order_id=reference).first()
    )
    if order is None:
        raise ValueError("Unknown order")
    return order


def complete(gateway: str, params: dict, order: Order, *, paid: bool) -> str:
    transaction_no = str(int(time.time() * 1000))
    if gateway == "vnpay":
        secret = config("vnpay")["hash_secret"]
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        result["vnp_SecureHash"] = vnpay.sign(result, secret)
        vnpay.handle_ipn(result)
        return params["vnp_ReturnUrl"] + "?" + urllib.parse.urlencode(result)
    if gateway == "momo":
        cfg = config("momo")
        result = {
            "partnerCode": params["partnerCode"],
            "orderId": params["orderId"],
            "requestId": params["requestId"],
            "amount": int(params["amount"]),
            "orderInfo": params["orderInfo"],
            "orderType": "momo_wallet",
            "transId": int(transaction_no),
            "resultCode": 0 if paid else 1006,
            "message": "Thành công." if paid else "Giao dịch bị từ chối bởi người dùng.",
            "payType": "qr",
            "responseTime": int(time.time() * 1000),
            "extraData": params.get("extraData", ""),
        }
        raw = momo.raw_string(momo.IPN_FIELDS, dict(result, accessKey=cfg["access_key"]))
        result["signature"] = momo.sign(raw, cfg["secret_key"])
        momo.handle_ipn(json.dumps(result).encode())
        return params["redirectUrl"] + "?" + urllib.parse.urlencode(result)
    cfg = config("zalopay")
    if paid:
        data = json.dumps(
            {
                "app_id": int(params["app_id"]),
                "app_trans_id": params["app_trans_id"],
                "app_time": int(params["app_time"]),
                "app_user": params["app_user"],
                "amount": int(params["amount"]),
                "embed_data": params["embed_data"],
                "item": params["item"],
                "zp_trans_id": int(transaction_no),
                "server_time": int(time.time() * 1000),
                "channel": 38,
                "merchant_user_id": "imitation",
                "user_fee_amount": 0,
                "discount_amount": 0,
            },
            separators=(",", ":"),
        )
        envelope = {"data": data, "mac": zalopay.mac(cfg["key2"], data), "type": 1}
        zalopay.handle_callback(json.dumps(envelope).encode())
    back = {
        "appid": params["app_id"],
        "apptransid": params["app_trans_id"],
        "pmcid": "38",
        "bankcode": "",
        "amount": params["amount"],
        "discountamount": "0",
        "status": "1" if paid else "-49",
    }
    keys = ("appid", "apptransid", "pmcid", "bankcode", "amount", "discountamount", "status")
    back["checksum"] = zalopay.mac(cfg["key2"], "|".join(str(back[k]) for k in keys))
    redirect_to = json.loads(params["embed_data"]).get("redirecturl")
    return redirect_to + "?" + urllib.parse.urlencode(back)


__all__ = ["order_for", "complete", "Gateway"]
