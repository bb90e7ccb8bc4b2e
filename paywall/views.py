"""Reader pages (accounts, plans, checkout), gateway endpoints and dev imitations.
Views are thin: the work is in services and the gateway modules."""

import json
import logging
import urllib.parse

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page, Site

from . import selectors, services
from .forms import CheckoutForm, ProfileForm, ReaderLoginForm, SignupForm
from .gateways import GATEWAY_NAMES, imitation_enabled
from .gateways import module as gateway_module
from .gateways.http import GatewayUnavailable
from .models import CounterKind, OrderStatus, Plan, ReaderProfile, Subscription
from .tokens import email_verification_token

logger = logging.getLogger(__name__)


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không xác định được trang báo.")
    return site


def _send_verification(request, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    link = request.build_absolute_uri(reverse("paywall:verify_email", args=[uid, token]))
    send_mail(
        subject="Xác nhận email tài khoản độc giả",
        message=render_to_string("paywall/email/verify.txt", {"link": link, "user": user}),
        from_email=None,
        recipient_list=[user.email],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("paywall:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.reader_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            commune_code=form.cleaned_data.get("commune_code"),
        )
        _send_verification(request, user)
        services.counter_increment(site=_site(request), kind=CounterKind.SIGNUP)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            "Đã tạo tài khoản. Chúng tôi đã gửi thư xác nhận tới email của bạn.",
        )
        target = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("paywall:account")
    return render(
        request, "paywall/account/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@never_cache
def verify_email(request, uidb64, token):
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not email_verification_token.check_token(user, token):
        return render(
            request,
            "paywall/account/message.html",
            {"title": "Liên kết không hợp lệ", "text": "Liên kết xác nhận sai hoặc đã hết hạn."},
            status=400,
        )
    services.reader_verify_email(user=user)
    return render(
        request,
        "paywall/account/message.html",
        {"title": "Đã xác nhận email", "text": "Cảm ơn bạn. Email của bạn đã được xác nhận."},
    )


class ReaderLoginView(auth_views.LoginView):
    template_name = "paywall/account/login.html"
    authentication_form = ReaderLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("paywall:account")


class ReaderLogoutView(auth_views.LogoutView):
    next_page = "/"


class ReaderPasswordResetView(auth_views.PasswordResetView):
    template_name = "paywall/account/password_reset.html"
    email_template_name = "paywall/email/password_reset.txt"
    subject_template_name = "paywall/email/password_reset_subject.txt"
    success_url = reverse_lazy("paywall:password_reset_done")


class ReaderPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "paywall/account/message.html"
    extra_context = {
        "title": "Đã gửi thư",
        "text": "Nếu email có trong hệ thống, bạn sẽ nhận được hướng dẫn đặt lại mật khẩu.",
    }


class ReaderPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "paywall/account/password_reset_confirm.html"
    success_url = reverse_lazy("paywall:password_reset_complete")


class ReaderPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "paywall/account/message.html"
    extra_context = {"title": "Đã đặt lại mật khẩu", "text": "Bạn có thể đăng nhập lại."}


@never_cache
@login_required(login_url=reverse_lazy("paywall:login"))
def account(request):
    profile, _ = ReaderProfile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, initial={"commune_code": profile.commune_code})
    if request.method == "POST" and form.is_valid():
        profile.commune_code = form.cleaned_data.get("commune_code")
        profile.save(update_fields=["commune_code"])
        messages.success(request, "Đã lưu hồ sơ.")
        return redirect("paywall:account")
    if request.GET.get("gui-lai") and not profile.email_verified and request.user.email:
        _send_verification(request, request.user)
        messages.info(request, "Đã gửi lại thư xác nhận.")
    site = Site.find_for_request(request)
    return render(
        request,
        "paywall/account/account.html",
        {
            "form": form,
            "profile": profile,
            "current": selectors.current_subscription(request.user, site) if site else None,
            "subscriptions": selectors.reader_subscriptions(request.user),
            "orders": selectors.reader_orders(request.user)[:50],
        },
    )


@require_POST
@login_required(login_url=reverse_lazy("paywall:login"))
def subscription_cancel(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    try:
        services.subscription_cancel(subscription=subscription)
        messages.success(request, "Đã hủy thuê bao.")
    except services.PaywallError as exc:
        messages.error(request, exc.message)
    return redirect("paywall:account")


@require_GET
def plans(request):
    site = _site(request)
    return render(
        request,
        "paywall/plans.html",
        {
            "plans": selectors.plans_for_site(site),
            "form": CheckoutForm(initial={"gateway": "vnpay"}),
            "current": selectors.current_subscription(request.user, site)
            if request.user.is_authenticated
            else None,
            "imitation": imitation_enabled(),
        },
    )


@never_cache
@require_POST
def checkout(request, slug):
    site = _site(request)
    plan = get_object_or_404(Plan, site=site, slug=slug, is_active=True)
    if not request.user.is_authenticated:
        messages.info(request, "Vui lòng đăng nhập hoặc đăng ký trước khi mua gói.")
        return redirect(f"{reverse('paywall:login')}?next={reverse('paywall:plans')}")
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Vui lòng chọn cổng thanh toán.")
        return redirect("paywall:plans")
    try:
        order = services.order_create(
            user=request.user,
            plan=plan,
            gateway=form.cleaned_data["gateway"],
            promo_code=form.cleaned_data.get("promo_code", ""),
        )
    except services.PaywallError as exc:
        messages.error(request, exc.message)
        return redirect("paywall:plans")
    try:
        url = gateway_module(order.gateway).payment_url(order, request)
    except (GatewayUnavailable, ValueError) as exc:
        logger.error("Gateway %s create failed for %s: %s", order.gateway, order.reference, exc)
        services.order_cancel(order=order)
        messages.error(request, "Cổng thanh toán đang bận, vui lòng thử lại hoặc chọn cổng khác.")
        return redirect("paywall:plans")
    return redirect(url)


def _result_page(request, gateway, params):
    valid, success, order = gateway_module(gateway).return_result(params)
    if order is not None and order.user_id != getattr(request.user, "pk", None):
        order = None
    # The return address only shows; the order's state comes from the IPN.
    return render(
        request,
        "paywall/payment_result.html",
        {"valid": valid, "reported_success": success, "order": order, "OrderStatus": OrderStatus},
        status=200 if valid else 400,
    )


@never_cache
@require_GET
def gateway_return(request, gateway):
    if gateway not in GATEWAY_NAMES:
        raise Http404
    return _result_page(request, gateway, request.GET.dict())


@csrf_exempt
@never_cache
@require_GET
def vnpay_ipn(request):
    try:
        params = request.GET.dict()
    except Exception:  # an unreadable query string: VNPay's "other error", not a 500
        logger.exception("VNPay IPN with an unreadable query")
        return JsonResponse({"RspCode": "99", "Message": "Unknow error"})
    return JsonResponse(gateway_module("vnpay").handle_ipn(params))


@csrf_exempt
@never_cache
@require_POST
def momo_ipn(request):
    status, body = gateway_module("momo").handle_ipn(request.body)
    if body is None:
        return HttpResponse(status=status)
    return JsonResponse(body, status=status)


@csrf_exempt
@never_cache
@require_POST
def zalopay_callback(request):
    return JsonResponse(gateway_module("zalopay").handle_callback(request.body))


@require_POST
@login_required(login_url=reverse_lazy("paywall:login"))
def gift_create(request, story_id):
    page = get_object_or_404(Page, pk=story_id).specific
    if not hasattr(page, "access_level") or not page.live:
        raise Http404
    try:
        token = services.gift_link_create(user=request.user, story=page)
    except services.PaywallError as exc:
        return render(
            request,
            "paywall/account/message.html",
            {"title": "Không tạo được liên kết tặng", "text": exc.message},
            status=400,
        )
    link = request.build_absolute_uri(
        page.url + "?" + urllib.parse.urlencode({services.GIFT_PARAM: token})
    )
    return render(request, "paywall/gift_created.html", {"link": link, "story": page})


@require_GET
def print_story(request, story_id):
    """Bản in: the same gate as the story page (one decision, one template tag)."""
    page = get_object_or_404(Page.objects.live().public(), pk=story_id).specific
    if not hasattr(page, "access_level"):
        raise Http404
    return render(request, "paywall/print.html", {"page": page})


# --- Dev only: local imitation of each gateway's payment page ---------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def imitation(request, gateway):
    """Only with DEBUG and PAYWALL_IMITATION_GATEWAYS (make run): a page that looks like
    the gateway's, sends a correctly signed IPN to our own handler, then returns."""
    if not imitation_enabled() or gateway not in GATEWAY_NAMES:
        raise Http404
    from . import imitation as imitation_module

    params = request.GET.dict() if request.method == "GET" else request.POST.dict()
    # The page's own button is not part of what the merchant signed.
    action = params.pop("action", "")
    try:
        order = imitation_module.order_for(gateway, params)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    if request.method == "GET":
        return render(
            request,
            "paywall/gateway/imitation.html",
            {"gateway": gateway, "order": order, "params": params},
        )
    paid = action == "pay"
    return redirect(imitation_module.complete(gateway, params, order, paid=paid))


def dashboard_view(request):
    """Wagtail admin: the editor-in-chief's paywall figures."""
    if not (request.user.is_superuser or request.user.has_perm("paywall.view_ledgerentry")):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    sites = Site.objects.all().order_by("site_name")
    site = None
    if request.GET.get("site"):
        site = sites.filter(pk=request.GET["site"]).first()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    data = selectors.dashboard(site=site, year=year)
    return render(
        request,
        "paywall/admin/dashboard.html",
        {"data": data, "sites": sites, "site": site, "data_json": json.dumps(data["months"])},
    )
