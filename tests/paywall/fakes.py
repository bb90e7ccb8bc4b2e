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
MOMO_CREATE_RESPONSE = (
    "accessKey={accessKey}&amount={amount}&orderId={orderId}&partnerCode={partnerCode}"
    "&payUrl={payUrl}&requestId={requestId}&responseTime={responseTime}&resultCode={resultCode}"
)
MOMO_QUERY = (
    "accessKey={accessKey}&orderId={orderId}&partnerCode={partnerCode}&requestId={requestId}"
)
MOMO_REFUND = (
    "accessKey={accessKey}&amount={amount}&description={description}&orderId={orderId}"
    "&partnerCode={partnerCode}&requestId={requestId}&transId={transId}"
)
VNPAY_QUERY = [
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
]  # fmt: skip
VNPAY_REFUND = [
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType",
    "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
]  # fmt: skip
VNPAY_QUERY_ANSWER = [
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
    "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
    "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
    "vnp_PromotionAmount",
]  # fmt: skip


def pipe_hash(values: dict, fields: list, secret: str) -> str:
    data = "|".join(str(values.get(name, "")) for name in fields)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


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
        # The payment happens, but its notification never reaches the merchant.
        self.drop_notifications = False
        self.transactions = {}
        self.api_calls = []
        self.refunds = []
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

    def deliver(self, *notification):
        if self.drop_notifications:
            self.last_notification = notification
            return None
        return self.notify(*notification)

    def replay(self):
        """Sends the last notification again, byte for byte (a replay attack or a retry)."""
        return self.notify(*self.last_notification)


class FakeVNPay(FakeGateway):
    """GET /paymentv2/vpcpay.html?...: checks vnp_SecureHash; `?pay=1` (the reader
    confirming) calls the merchant's IPN URL then redirects to vnp_ReturnUrl."""

    def handle(self, handler, method):
        if method == "POST" and handler.path == "/merchant_webapi/api/transaction":
            return self.api(handler)
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
        self.transactions[params["vnp_TxnRef"]] = dict(result, create_date=params["vnp_CreateDate"])
        self.deliver(self.credentials["ipn_url"], result)
        location = params["vnp_ReturnUrl"] + "?" + urllib.parse.urlencode(result)
        self.reply(handler, 302, headers={"Location": location})

    def api(self, handler):
        """POST /merchant_webapi/api/transaction (JSON): querydr and refund, each checked
        against its own "|"-joined checksum; answers carry VNPay's checksum."""
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        self.api_calls.append(body)
        secret = self.credentials["hash_secret"]
        command = body.get("vnp_Command")
        fields = {"querydr": VNPAY_QUERY, "refund": VNPAY_REFUND}.get(command)
        answer = {
            "vnp_ResponseId": f"R{len(self.api_calls)}",
            "vnp_Command": command,
            "vnp_TmnCode": body.get("vnp_TmnCode", ""),
            "vnp_TxnRef": body.get("vnp_TxnRef", ""),
        }
        paid = self.transactions.get(body.get("vnp_TxnRef"))
        if fields is None:
            answer.update(vnp_ResponseCode="99", vnp_Message="Unknown command")
        elif body.get("vnp_SecureHash") != pipe_hash(body, fields, secret):
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        elif paid is None or paid["create_date"] != body.get("vnp_TransactionDate"):
            answer.update(vnp_ResponseCode="91", vnp_Message="Transaction not found")
        elif command == "querydr":
            answer.update(
                vnp_ResponseCode="00",
                vnp_Message="QueryDR Success",
                vnp_Amount=paid["vnp_Amount"],
                vnp_BankCode=paid["vnp_BankCode"],
                vnp_PayDate=paid["vnp_PayDate"],
                vnp_TransactionNo=paid["vnp_TransactionNo"],
                vnp_TransactionType="01",
                vnp_TransactionStatus=paid["vnp_TransactionStatus"],
                vnp_OrderInfo=paid["vnp_OrderInfo"],
                vnp_PromotionCode="",
                vnp_PromotionAmount="",
            )
        else:
            answer.update(self.refund(body, paid))
        names = VNPAY_QUERY_ANSWER if command == "querydr" else VNPAY_QUERY_ANSWER[:13]
        answer["vnp_SecureHash"] = pipe_hash(answer, names, secret)
        return self.reply(handler, 200, answer)

    def refund(self, body, paid):
        refunded = sum(r["amount"] for r in self.refunds if r["ref"] == body["vnp_TxnRef"])
        amount = int(body["vnp_Amount"])
        full = int(paid["vnp_Amount"])
        kind = body.get("vnp_TransactionType")
        if body.get("vnp_TransactionNo") != paid["vnp_TransactionNo"]:
            return {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"}
        if (kind == "02" and amount != full) or kind not in ("02", "03"):
            return {"vnp_ResponseCode": "03", "vnp_Message": "Invalid data format"}
        if refunded + amount > full:
            return {"vnp_ResponseCode": "95", "vnp_Message": "Refund amount exceeds"}
        if body["vnp_RequestId"] in {r["request"] for r in self.refunds}:
            return {"vnp_ResponseCode": "94", "vnp_Message": "Duplicate request"}
        self.refunds.append(
            {"ref": body["vnp_TxnRef"], "amount": amount, "request": body["vnp_RequestId"]}
        )
        return {
            "vnp_ResponseCode": "00",
            "vnp_Message": "Refund success",
            "vnp_Amount": str(amount),
            "vnp_BankCode": paid["vnp_BankCode"],
            "vnp_PayDate": paid["vnp_PayDate"],
            "vnp_TransactionNo": str(15000000 + len(self.refunds)),
            "vnp_TransactionType": kind,
            "vnp_TransactionStatus": "05",
            "vnp_OrderInfo": body.get("vnp_OrderInfo", ""),
        }

    def notify(self, ipn_url, result):
        self.last_notification = (ipn_url, result)
        status, body = http_call(ipn_url + "?" + urllib.parse.urlencode(result))
        self.notifications.append((result, status, json.loads(body)))
        return status, json.loads(body)


class FakeMoMo(FakeGateway):
    """POST /v2/gateway/api/create (JSON, signed) -> {resultCode: 0, payUrl}; GET on the
    payUrl (the reader paying) POSTs the signed IPN to ipnUrl, then redirects."""

    forge_create = False

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
            answer = {
                "partnerCode": body["partnerCode"],
                "orderId": body["orderId"],
                "requestId": body["requestId"],
                "amount": body["amount"],
                "responseTime": int(time.time() * 1000),
                "message": "Thành công.",
                "resultCode": 0,
                "payUrl": f"{self.url}/pay/{body['orderId']}",
            }
            # MoMo signs its answer; `forge_create` plays a man in the middle without the key.
            key = "not-momos-key" if self.forge_create else cred["secret_key"]
            answer["signature"] = hmac256(
                key, MOMO_CREATE_RESPONSE.format(accessKey=cred["access_key"], **answer)
            )
            if self.forge_create:
                answer["payUrl"] = "https://phishing.invalid/momo"
            return self.reply(handler, 200, answer)
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
            self.transactions[order_id] = result
            self.deliver(order["ipnUrl"], result)
            location = order["redirectUrl"] + "?" + urllib.parse.urlencode(result)
            return self.reply(handler, 302, headers={"Location": location})
        if method == "POST" and handler.path in ("/v2/gateway/api/query", "/v2/gateway/api/refund"):
            body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
            self.api_calls.append(body)
            kind = handler.path.rsplit("/", 1)[1]
            template = MOMO_QUERY if kind == "query" else MOMO_REFUND
            expected = hmac256(
                cred["secret_key"], template.format(accessKey=cred["access_key"], **body)
            )
            if body.get("signature") != expected:
                return self.reply(handler, 200, {"resultCode": 11, "message": "Access denied."})
            return self.reply(handler, 200, getattr(self, kind)(body))
        self.reply(handler, 404, {"resultCode": 99})

    def query(self, body):
        paid = self.transactions.get(body["orderId"])
        order = getattr(self, "orders", {}).get(body["orderId"])
        answer = {
            "partnerCode": body["partnerCode"],
            "orderId": body["orderId"],
            "requestId": body["requestId"],
            "extraData": "",
            "amount": order["amount"] if order else 0,
            "transId": paid["transId"] if paid else 0,
            "payType": "qr" if paid else "",
            "resultCode": paid["resultCode"] if paid else (1000 if order else 42),
            "refundTrans": [r for r in self.refunds if r["orderId"] == body["orderId"]],
            "message": "Thành công." if paid else "Giao dịch đã được khởi tạo.",
            "responseTime": int(time.time() * 1000),
            "lastUpdated": int(time.time() * 1000),
        }
        return answer

    def refund(self, body):
        paid = next(
            (p for p in self.transactions.values() if p["transId"] == int(body["transId"])), None
        )
        base = {
            "partnerCode": body["partnerCode"],
            "orderId": body["orderId"],
            "requestId": body["requestId"],
            "amount": body["amount"],
            "transId": 0,
            "responseTime": int(time.time() * 1000),
        }
        if paid is None:
            return dict(base, resultCode=42, message="Giao dịch không tồn tại.")
        if body["orderId"] in {r["refundOrderId"] for r in self.refunds}:
            return dict(base, resultCode=41, message="Trùng orderId.")
        done = sum(r["amount"] for r in self.refunds if r["orderId"] == paid["orderId"])
        if done + int(body["amount"]) > paid["amount"]:
            return dict(base, resultCode=1080, message="Số tiền hoàn vượt số tiền giao dịch.")
        trans = 3000000000 + len(self.refunds)
        self.refunds.append(
            {
                "orderId": paid["orderId"],
                "refundOrderId": body["orderId"],
                "amount": int(body["amount"]),
                "transId": trans,
            }
        )
        return dict(base, transId=trans, resultCode=0, message="Thành công.")

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
            self.transactions[trans_id] = json.loads(data)
            self.deliver(form["callback_url"], envelope)
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
        if method == "POST" and handler.path in ("/v2/query", "/v2/refund"):
            raw = handler.rfile.read(int(handler.headers["Content-Length"])).decode()
            form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            self.api_calls.append(form)
            if handler.path == "/v2/query":
                mac_input = f"{form.get('app_id')}|{form.get('app_trans_id')}|{cred['key1']}"
            else:
                mac_input = "|".join(
                    form.get(k, "")
                    for k in ("app_id", "zp_trans_id", "amount", "description", "timestamp")
                )
            if form.get("mac") != hmac256(cred["key1"], mac_input):
                return self.reply(
                    handler,
                    200,
                    {
                        "return_code": 2,
                        "return_message": "mac không hợp lệ",
                        "sub_return_code": -402,
                    },
                )
            handle = self.query if handler.path == "/v2/query" else self.refund
            return self.reply(handler, 200, handle(form))
        self.reply(handler, 404, {"return_code": -1})

    def query(self, form):
        paid = self.transactions.get(form["app_trans_id"])
        if paid is None:
            known = form["app_trans_id"] in getattr(self, "orders", {})
            return {
                "return_code": 3 if known else 2,
                "return_message": "Giao dịch chưa thanh toán" if known else "Không tìm thấy",
                "sub_return_code": -54 if known else -92,
                "is_processing": known,
                "amount": 0,
                "zp_trans_id": 0,
            }
        return {
            "return_code": 1,
            "return_message": "Giao dịch thành công",
            "sub_return_code": 1,
            "is_processing": False,
            "amount": paid["amount"],
            "zp_trans_id": paid["zp_trans_id"],
        }

    def refund(self, form):
        paid = next(
            (p for p in self.transactions.values() if str(p["zp_trans_id"]) == form["zp_trans_id"]),
            None,
        )
        if paid is None:
            return {
                "return_code": 2,
                "return_message": "Không tìm thấy giao dịch",
                "sub_return_code": -101,
            }
        if form["m_refund_id"] in {r["m_refund_id"] for r in self.refunds}:
            known = next(r for r in self.refunds if r["m_refund_id"] == form["m_refund_id"])
            return {
                "return_code": 1,
                "return_message": "Hoàn tiền thành công",
                "sub_return_code": 1,
                "refund_id": known["refund_id"],
            }
        done = sum(r["amount"] for r in self.refunds if r["zp_trans_id"] == form["zp_trans_id"])
        if done + int(form["amount"]) > paid["amount"]:
            return {
                "return_code": 2,
                "return_message": "Số tiền hoàn vượt quá",
                "sub_return_code": -13,
            }
        refund_id = 17000000 + len(self.refunds)
        self.refunds.append(
            {
                "m_refund_id": form["m_refund_id"],
                "zp_trans_id": form["zp_trans_id"],
                "amount": int(form["amount"]),
                "refund_id": refund_id,
            }
        )
        return {
            "return_code": 1,
            "return_message": "Hoàn tiền thành công",
            "sub_return_code": 1,
            "refund_id": refund_id,
        }

    def notify(self, url, envelope):
        self.last_notification = (url, envelope)
        status, body = http_call(url, json.dumps(envelope).encode())
        self.notifications.append((envelope, status, json.loads(body)))
        return status, json.loads(body)
