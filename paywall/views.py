"""Reader pages (accounts, plans, checkout), gateway endpoints and dev imitations.
Views are thin: the work is in services and the gateway modules."""

import hashlib
import json
import logging
import urllib.parse

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
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

from outbox.services import enqueue
from twofactor import services as twofactor

from . import selectors, services
from .forms import (
    AccountDeleteForm,
    CheckoutForm,
    ProfileForm,
    ReaderLoginForm,
    ReaderPasswordResetForm,
    ReaderSetPasswordForm,
    SignupForm,
)
from .gateways import GATEWAY_NAMES, imitation_enabled
from .gateways import module as gateway_module
from .gateways.http import GatewayUnavailable
from .models import CounterKind, OrderStatus, Plan, ReaderProfile, Subscription
from .personal_data import DeletionRefused, is_staff_account, reader_data, reader_delete
from .tasks import send_reader_mail
from .tokens import email_verification_token

logger = logging.getLogger(__name__)


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không xác định được trang báo.")
    return site


NEXT = "next"
# Where a reader who pays goes back to, per order reference (the gateway's return address
# only carries the order).
RETURN_SESSION_KEY = "paywall_return_to"


def safe_next(request, value) -> str:
    """`value` when it is a path on this site ("/thoi-su/bai/?x=1"), else "". Only
    relative paths: no scheme, no host, no "//" or "\\" tricks (Django's
    url_has_allowed_host_and_scheme), so a link can never send a reader off-site."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc:
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value


def next_from(request) -> str:
    return safe_next(request, request.POST.get(NEXT) or request.GET.get(NEXT))


def with_next(url: str, target: str) -> str:
    return f"{url}?{urllib.parse.urlencode({NEXT: target})}" if target else url


def _send_verification(request, user, next_url=""):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    link = request.build_absolute_uri(
        with_next(reverse("paywall:verify_email", args=[uid, token]), next_url)
    )
    enqueue(
        send_reader_mail,
        "Xác nhận email tài khoản độc giả",
        render_to_string("paywall/email/verify.txt", {"link": link, "user": user}),
        user.email,
    )


# At most one "someone signed up with your address" mail per address in this time:
# repeating the sign-up must not flood the owner's mailbox.
OWNER_MAIL_SECONDS = 15 * 60


def _send_already_registered(request, email, next_url=""):
    """To the owner of an address someone tried to sign up with: how to log in or reset
    the password. The one who tried learns nothing (the page they see is the same)."""
    key = "paywall:owner-mailed:" + hashlib.sha256(email.encode()).hexdigest()
    if not cache.add(key, 1, timeout=OWNER_MAIL_SECONDS):
        return
    context = {
        "login": request.build_absolute_uri(with_next(reverse("paywall:login"), next_url)),
        "reset": request.build_absolute_uri(reverse("paywall:password_reset")),
        "site": Site.find_for_request(request),
    }
    enqueue(
        send_reader_mail,
        "Có người vừa đăng ký bằng email của bạn",
        render_to_string("paywall/email/already_registered.txt", context),
        email,
    )


SIGNUP_DONE = {
    "title": "Kiểm tra hộp thư của bạn",
    "text": (
        "Chúng tôi vừa gửi thư tới {email}. Mở thư và bấm vào liên kết trong đó để xác "
        "nhận email và đăng nhập. Không thấy thư sau vài phút? Hãy xem thư mục Spam "
        "(Thư rác) hoặc kiểm tra lại địa chỉ email."
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """The answer is the same page whether or not the address has an account (nobody
    learns who reads here): a new account gets a verification link that logs it in, the
    owner of an existing one a mail on how to log in. Both branches hash the password
    and queue one mail, so they also take the same time."""
    if request.user.is_authenticated:
        return redirect("paywall:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, target = form.cleaned_data["email"], next_from(request)
        user = None
        if form.existing_account() is None:
            try:
                user = services.reader_create(
                    email=email,
                    password=form.cleaned_data["password1"],
                    commune_code=form.cleaned_data.get("commune_code"),
                )
            except IntegrityError:  # the same address signed up a moment before
                user = None
        if user is None:
            make_password(form.cleaned_data["password1"])  # as long as creating one
            _send_already_registered(request, email, target)
        else:
            _send_verification(request, user, target)
            services.counter_increment(site=_site(request), kind=CounterKind.SIGNUP)
        return render(
            request,
            "paywall/account/message.html",
            {"title": SIGNUP_DONE["title"], "text": SIGNUP_DONE["text"].format(email=email)},
        )
    return render(
        request, "paywall/account/signup.html", {"form": form, "next": next_from(request)}
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
    # The link was mailed to the address: opening it logs a reader in (the sign-up page
    # does not, so that it answers the same for an address that has an account).
    if user.is_active and not is_staff_account(user) and request.user != user:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return render(
        request,
        "paywall/account/message.html",
        {
            "title": "Đã xác nhận email",
            "text": "Cảm ơn bạn. Email của bạn đã được xác nhận.",
            "next": next_from(request),
        },
    )


class ReaderLoginView(auth_views.LoginView):
    template_name = "paywall/account/login.html"
    authentication_form = ReaderLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("paywall:account")

    def get_redirect_url(self):
        # Stricter than Django's check: only a path on this site.
        return next_from(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)
        # A reader who enrolled a second factor (and staff) give its code next.
        if twofactor.needs_verification(self.request.user):
            return redirect(with_next(reverse("twofactor_reader:verify"), self.get_success_url()))
        return response


class ReaderLogoutView(auth_views.LogoutView):
    next_page = "/"


class ReaderPasswordResetView(auth_views.PasswordResetView):
    form_class = ReaderPasswordResetForm
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
    form_class = ReaderSetPasswordForm
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
        _send_verification(request, request.user, next_from(request))
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
            "two_factor": twofactor.has_device(request.user),
        },
    )


@never_cache
@require_GET
@login_required(login_url=reverse_lazy("paywall:login"))
def account_data(request):
    """Tải dữ liệu của tôi: everything held about the reader, as a JSON file."""
    body = json.dumps(reader_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{day}.json"'
    logger.info("Reader %s downloaded their personal data", request.user.pk)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required(login_url=reverse_lazy("paywall:login"))
def account_delete(request):
    """Xóa tài khoản: the reader confirms with their password; the account and what
    belongs only to them go, payments stay in the ledger without the person."""
    staff = is_staff_account(request.user)
    form = AccountDeleteForm(request, request.POST or None)
    if request.method == "POST" and not staff and form.is_valid():
        try:
            email = reader_delete(request.user)
        except DeletionRefused as exc:
            messages.error(request, exc.message)
            return redirect("paywall:account_delete")
        logout(request)
        if email:
            enqueue(
                send_reader_mail,
                "Tài khoản độc giả của bạn đã được xóa",
                render_to_string(
                    "paywall/email/account_deleted.txt",
                    {"site": Site.find_for_request(request), "email": email},
                ),
                email,
            )
        return render(
            request,
            "paywall/account/message.html",
            {
                "title": "Đã xóa tài khoản",
                "text": "Tài khoản của bạn đã được xóa và mọi phiên đăng nhập đã kết thúc. "
                "Chúng tôi đã gửi thư xác nhận tới email của bạn.",
            },
        )
    return render(
        request,
        "paywall/account/delete.html",
        {"form": form, "staff": staff},
        status=403 if staff and request.method == "POST" else 200,
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
            # One form per plan, each with its own element ids (a label must not point
            # at another plan's radio button).
            "plans": [
                (plan, CheckoutForm(initial={"gateway": "vnpay"}, auto_id=f"id_{plan.slug}_%s"))
                for plan in selectors.plans_for_site(site)
            ],
            "current": selectors.current_subscription(request.user, site)
            if request.user.is_authenticated
            else None,
            "imitation": imitation_enabled(),
            "next": next_from(request),
        },
    )


@never_cache
@require_POST
def checkout(request, slug):
    site = _site(request)
    plan = get_object_or_404(Plan, site=site, slug=slug, is_active=True)
    target = next_from(request)
    back_to_plans = with_next(reverse("paywall:plans"), target)
    if not request.user.is_authenticated:
        messages.info(request, "Vui lòng đăng nhập hoặc đăng ký trước khi mua gói.")
        return redirect(with_next(reverse("paywall:login"), back_to_plans))
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Vui lòng chọn cổng thanh toán.")
        return redirect(back_to_plans)
    try:
        order = services.order_create(
            user=request.user,
            plan=plan,
            gateway=form.cleaned_data["gateway"],
            promo_code=form.cleaned_data.get("promo_code", ""),
        )
    except services.PaywallError as exc:
        messages.error(request, exc.message)
        return redirect(back_to_plans)
    try:
        url = gateway_module(order.gateway).payment_url(order, request)
    except (GatewayUnavailable, ValueError) as exc:
        logger.error("Gateway %s create failed for %s: %s", order.gateway, order.reference, exc)
        services.order_cancel(order=order)
        messages.error(request, "Cổng thanh toán đang bận, vui lòng thử lại hoặc chọn cổng khác.")
        return redirect(back_to_plans)
    if target:
        returns = request.session.get(RETURN_SESSION_KEY, {})
        returns[order.reference] = target
        # Only the latest few: a reader who abandons payments does not grow the session.
        request.session[RETURN_SESSION_KEY] = dict(list(returns.items())[-5:])
    return redirect(url)


def _result_page(request, gateway, params):
    valid, success, order = gateway_module(gateway).return_result(params)
    if order is not None and order.user_id != getattr(request.user, "pk", None):
        order = None
    return_to = ""
    if order is not None:
        # Stored by checkout in this reader's session; checked again on the way out.
        stored = request.session.get(RETURN_SESSION_KEY, {}).get(order.reference, "")
        return_to = safe_next(request, stored)
    # The return address only shows; the order's state comes from the IPN.
    return render(
        request,
        "paywall/payment_result.html",
        {
            "valid": valid,
            "reported_success": success,
            "order": order,
            "OrderStatus": OrderStatus,
            "return_to": return_to,
        },
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


MONTH_LABELS = [f"T{m}" for m in range(1, 13)]


def _refused(request, reason):
    """Back to the admin home with the reason (Wagtail's own refusal says only "no
    permission"); the same answer Wagtail gives, so nothing else changes."""
    messages.error(request, reason)
    return redirect("wagtailadmin_home")


def dashboard_view(request):
    """Wagtail admin: the paywall figures. An editor-in-chief reads their own agency's
    outlets (orders, subscriptions, revenue); the superuser every outlet."""
    allowed = selectors.figures_sites(request.user)
    if allowed is not None and not allowed.exists():
        return _refused(request, "Chỉ tổng biên tập xem được số liệu thu phí của cơ quan mình.")
    sites = Site.objects.order_by("site_name") if allowed is None else allowed
    site, site_id = None, request.GET.get("site", "")
    if site_id:
        valid = site_id.isdigit() and len(site_id) < 10
        site = sites.filter(pk=int(site_id)).first() if valid else None
        if site is None:
            return _refused(request, "Bạn không xem được số liệu thu phí của trang báo này.")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    data = selectors.dashboard(
        site=site, sites=None if allowed is None else list(allowed), year=year
    )
    months = data["months"]
    charts = {
        "revenue": {
            "type": "bar",
            "unit": "vnd",
            "data": {
                "labels": MONTH_LABELS,
                "datasets": [{"label": "Doanh thu", "data": [m["revenue"] for m in months]}],
            },
            "options": {},
        },
        "subscriptions": {
            "type": "bar",
            "data": {
                "labels": MONTH_LABELS,
                "datasets": [
                    {"label": "Thuê bao mới", "data": [m["new"] for m in months]},
                    {"label": "Thuê bao hủy", "data": [m["cancelled"] for m in months]},
                ],
            },
            "options": {},
        },
    }
    return render(
        request,
        "paywall/admin/dashboard.html",
        {
            "data": data,
            "sites": sites,
            "site": site,
            "charts": charts,
            "years": range(timezone.localdate().year, 2019, -1),
        },
    )
