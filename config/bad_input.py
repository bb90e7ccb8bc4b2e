"""Refuses a request whose query string carries a NUL character, before any view runs.

PostgreSQL text cannot hold NUL, so such a value reaching a query was a database error
and a 500 (the Wagtail API's `html_path` and `locale` filters, for example). No real
link contains one. Forms are already covered: Django's form fields refuse NUL with a
message of their own."""

from django.http import JsonResponse
from django.shortcuts import render

API_PREFIXES = ("/api/", "/a/")
# The gateways' server-to-server notifications answer in their own contracts (VNPay's IPN
# always a JSON RspCode: "99" for a reference that cannot be read), never this page.
GATEWAY_NOTIFICATIONS = (
    "/thanh-toan/vnpay/ipn/",
    "/thanh-toan/momo/ipn/",
    "/thanh-toan/zalopay/callback/",
)
MESSAGE_EN = "query parameters must not contain NUL characters"
MESSAGE_VI = "Địa chỉ có ký tự không hợp lệ (ký tự NUL). Hãy kiểm tra lại liên kết."


def has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in GATEWAY_NOTIFICATIONS:
            return self.get_response(request)
        if "\x00" in request.path or has_nul(request.GET):
            if request.path.startswith(API_PREFIXES):
                return JsonResponse({"error": MESSAGE_EN}, status=400)
            return render(
                request,
                "bad_request.html",
                {"title": "Yêu cầu không hợp lệ", "text": MESSAGE_VI},
                status=400,
            )
        return self.get_response(request)
