"""Fake VNPay, MoMo and ZaloPay servers on 127.0.0.1 (port 0), written from each
gateway's published contract independently of the project's gateway code, so a
signature mistake in the project cannot be mirrored here."""

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def vnpay_hash(params: dict, secret: str) -> str:
    query = "&".join(
        f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(str(v))}"
        for k, v in sorted(params.items())
        if k not in ("vnp_SecureHash", "vnp_SecureHashType") and str(v) != ""
    )
    return hmac.new(secret.encode(), query.encode(), hashlib.sha512).hexdigest()


def hmac256(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


MOMO_CREATE = (
    "accessKey={accessKey}&amount={amount}&extraData={extraData}&ipnUrl={ipnUrl}"
    "&orderId={orderId}&orderInfo={orderInfo}&partnerCode={partnerCode}"
    "&redirectUrl={redirectUrl}&requestId={requestId}&requestType={requestType}"
)
MOMO_IPN = (
    "accessKey={accessKey}&amount={amount}&extraData={extraData}&message={message}"
    "&orderId={orderId}&orderInfo={orderInfo}&orderType={orderType}"
    "&partnerCode={partnerCode}&payType={payType}&requestId={requestId}"
    "&responseTime={responseTime}&resultCode={resultCode}&transId={transId}"
)


def http_call(url, body=None, content_type="application/json", method=None):
    request = urllib.request.Request(url, data=body, method=method or ("POST" if body else "GET"))
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class FakeGateway:
    """Base: a threaded HTTP server; `calls` records what the merchant sent and what the
    fake's notifications got back."""

    def __init__(self, **credentials):
        self.credentials = credentials
        self.calls = []
        self.notifications = []  # (request body or url, status, response body)
        self.last_notification = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def reply(self, handler, status, body=None, headers=None):
        handler.send_response(status)
        payload = b""
        if body is not None:
            payload = json.dumps(body).encode()
            handler.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def replay(self):
        """Sends the last notification again, byte for byte (a replay attack or a retry)."""
        return self.notify(*self.last_notification)


class FakeVNPay(FakeGateway):
    """GET /paymentv2/vpcpay.html?...: checks vnp_SecureHash; `?pay=1` (the reader
    confirming) calls the merchant's IPN URL then redirects to vnp_ReturnUrl."""

    def handle(self, handler, method):
        parsed = urllib.parse.urlsplit(handler.path)
        params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.calls.append(params)
        action = params.pop("fake_action", "pay")
        secret = self.credentials["hash_secret"]
        if params.get("vnp_SecureHash") != vnpay_hash(params, secret):
            return self.reply(handler, 400, {"error": "Sai chữ ký"})
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": params["vnp_OrderInfo"],
            "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00" if action == "pay" else "24",
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": str(14000000 + len(self.calls)),
            "vnp_TransactionStatus": "00" if action == "pay" else "02",
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        result["vnp_SecureHash"] = vnpay_hash(result, secret)
        self.notify(self.credentials["ipn_url"], result)
        location = params["vnp_ReturnUrl"] + "?" + urllib.parse.urlencode(result)
        self.reply(handler, 302, headers={"Location": location})

    def notify(self, ipn_url, result):
        self.last_notification = (ipn_url, result)
        status, body = http_call(ipn_url + "?" + urllib.parse.urlencode(result))
        self.notifications.append((result, status, json.loads(body)))
        return status, json.loads(body)


class FakeMoMo(FakeGateway):
    """POST /v2/gateway/api/create (JSON, signed) -> {resultCode: 0, payUrl}; GET on the
    payUrl (the reader paying) POSTs the signed IPN to ipnUrl, then redirects."""

    def handle(self, handler, method):
        cred = self.credentials
        if method == "POST" and handler.path == "/v2/gateway/api/create":
            body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
            self.calls.append(body)
            expected = hmac256(
                cred["secret_key"], MOMO_CREATE.format(accessKey=cred["access_key"], **body)
            )
            if body.get("signature") != expected or body.get("requestType") != "captureWallet":
                return self.reply(handler, 200, {"resultCode": 11, "message": "Access denied."})
            self.orders = getattr(self, "orders", {})
            self.orders[body["orderId"]] = body
            return self.reply(
                handler,
                200,
                {
                    "partnerCode": body["partnerCode"],
                    "orderId": body["orderId"],
                    "requestId": body["requestId"],
                    "amount": body["amount"],
                    "responseTime": int(time.time() * 1000),
                    "message": "Thành công.",
                    "resultCode": 0,
                    "payUrl": f"{self.url}/pay/{body['orderId']}",
                },
            )
        if method == "GET" and handler.path.startswith("/pay/"):
            order_id = handler.path.split("/pay/", 1)[1].split("?")[0]
            order = self.orders[order_id]
            result = {
                "partnerCode": order["partnerCode"],
                "orderId": order["orderId"],
                "requestId": order["requestId"],
                "amount": order["amount"],
                "orderInfo": order["orderInfo"],
                "orderType": "momo_wallet",
                "transId": 4088878653 + len(self.calls),
                "resultCode": 0,
                "message": "Successful.",
                "payType": "qr",
                "responseTime": int(time.time() * 1000),
                "extraData": order["extraData"],
            }
            result["signature"] = hmac256(
                cred["secret_key"], MOMO_IPN.format(accessKey=cred["access_key"], **result)
            )
            self.notify(order["ipnUrl"], result)
            location = order["redirectUrl"] + "?" + urllib.parse.urlencode(result)
            return self.reply(handler, 302, headers={"Location": location})
        self.reply(handler, 404, {"resultCode": 99})

    def notify(self, ipn_url, result):
        self.last_notification = (ipn_url, result)
        status, body = http_call(ipn_url, json.dumps(result).encode())
        self.notifications.append((result, status, body))
        return status, body


class FakeZaloPay(FakeGateway):
    """POST /v2/create (form, mac with key1) -> {return_code: 1, order_url}; GET on the
    order_url POSTs the callback {data, mac=HMAC(key2, data), type: 1}, then redirects."""

    def handle(self, handler, method):
        cred = self.credentials
        if method == "POST" and handler.path == "/v2/create":
            raw = handler.rfile.read(int(handler.headers["Content-Length"])).decode()
            form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            self.calls.append(form)
            mac_input = "|".join(
                form[k]
                for k in (
                    "app_id",
                    "app_trans_id",
                    "app_user",
                    "amount",
                    "app_time",
                    "embed_data",
                    "item",
                )
            )
            if form.get("mac") != hmac256(cred["key1"], mac_input):
                return self.reply(handler, 200, {"return_code": 2, "return_message": "mac sai"})
            self.orders = getattr(self, "orders", {})
            self.orders[form["app_trans_id"]] = form
            return self.reply(
                handler,
                200,
                {
                    "return_code": 1,
                    "return_message": "Giao dịch thành công",
                    "sub_return_code": 1,
                    "order_url": f"{self.url}/pay/{form['app_trans_id']}",
                    "zp_trans_token": "AC" + form["app_trans_id"],
                },
            )
        if method == "GET" and handler.path.startswith("/pay/"):
            trans_id = handler.path.split("/pay/", 1)[1]
            form = self.orders[trans_id]
            data = json.dumps(
                {
                    "app_id": int(form["app_id"]),
                    "app_trans_id": trans_id,
                    "app_time": int(form["app_time"]),
                    "app_user": form["app_user"],
                    "amount": int(form["amount"]),
                    "embed_data": form["embed_data"],
                    "item": form["item"],
                    "zp_trans_id": 200904000000389 + len(self.calls),
                    "server_time": int(time.time() * 1000),
                    "channel": 38,
                    "merchant_user_id": "fake",
                    "user_fee_amount": 0,
                    "discount_amount": 0,
                },
                separators=(",", ":"),
            )
            envelope = {"data": data, "mac": hmac256(cred["key2"], data), "type": 1}
            self.notify(form["callback_url"], envelope)
            back = {
                "appid": form["app_id"],
                "apptransid": trans_id,
                "pmcid": "38",
                "bankcode": "",
                "amount": form["amount"],
                "discountamount": "0",
                "status": "1",
            }
            keys = ("appid", "apptransid", "pmcid", "bankcode", "amount", "discountamount")
            back["checksum"] = hmac256(cred["key2"], "|".join(back[k] for k in (*keys, "status")))
            redirect = json.loads(form["embed_data"])["redirecturl"]
            return self.reply(
                handler, 302, headers={"Location": redirect + "?" + urllib.parse.urlencode(back)}
            )
        self.reply(handler, 404, {"return_code": -1})

    def notify(self, url, envelope):
        self.last_notification = (url, envelope)
        status, body = http_call(url, json.dumps(envelope).encode())
        self.notifications.append((envelope, status, json.loads(body)))
        return status, json.loads(body)
