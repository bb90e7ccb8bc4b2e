"""The second step, enrolment and the management of one's second factor, for staff (in
the admin's look, under /admin/xac-thuc/) and for readers (in the site's look, under
/tai-khoan/). The same views serve both; `flavour` picks the templates and addresses."""

import logging
import time

import django_otp
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from paywall.views import next_from, with_next

from . import services
from .forms import CodeForm, EnrolForm, ReauthForm

logger = logging.getLogger(__name__)

# How long a re-authentication allows enrolling a replacement device.
REAUTH_SECONDS = 10 * 60
REAUTH_KEY = "twofactor_reauth_at"

FLAVOURS = {
    "admin": {
        "base": "twofactor/admin_base.html",
        "login": "wagtailadmin_login",
        "home": "wagtailadmin_home",
        "ns": "twofactor_admin",
    },
    "reader": {
        "base": "twofactor/reader_base.html",
        "login": "paywall:login",
        "home": "paywall:account",
        "ns": "twofactor_reader",
    },
}


def _context(flavour, **extra):
    config = FLAVOURS[flavour]
    return {"base_template": config["base"], "flavour": flavour, "ns": config["ns"]} | extra


def _next(request, flavour):
    return next_from(request) or reverse(FLAVOURS[flavour]["home"])


def _url(flavour, name, next_url=""):
    return with_next(reverse(f"{FLAVOURS[flavour]['ns']}:{name}"), next_url)


def _login(request, device):
    """The session passed the second step: a new session key (the half-signed-in one is
    dropped), marked verified by django-otp."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session.pop(REAUTH_KEY, None)


def _signed_in(view):
    def wrapped(request, flavour):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse(FLAVOURS[flavour]["login"]))
        if flavour == "admin" and not services.is_staff(request.user):
            return HttpResponseForbidden("Chỉ dành cho tài khoản biên tập.")
        return view(request, flavour)

    wrapped.__name__ = view.__name__
    return never_cache(require_http_methods(["GET", "POST"])(wrapped))


@_signed_in
def verify(request, flavour):
    """After the password: the 6-digit code of the authenticator app or a recovery code."""
    user, next_url = request.user, _next(request, flavour)
    if user.is_verified() or not services.needs_verification(user):
        return redirect(next_url)
    if not django_otp.user_has_device(user):
        return redirect(_url("admin", "enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify(user, form.cleaned_data["code"])
        except services.VerifyError as exc:
            logger.warning(
                "Second-factor code refused for user %s from %s",
                user.pk,
                request.META.get("REMOTE_ADDR"),
            )
            form.add_error("code", str(exc))
        else:
            _login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"Bạn vừa dùng một mã khôi phục (còn {left} mã). Nếu mất điện thoại, "
                    "hãy đổi thiết bị xác thực hoặc tạo lại mã khôi phục.",
                )
            return redirect(next_url)
    return render(request, "twofactor/verify.html", _context(flavour, form=form, next=next_url))


def _reauth_fresh(request) -> bool:
    at = request.session.get(REAUTH_KEY)
    return bool(at) and time.time() - at < REAUTH_SECONDS


@_signed_in
def enrol(request, flavour):
    """Scan the QR code, type a code to confirm, then the recovery codes, shown once. A
    replacement device needs a re-authentication first (the manage page)."""
    user, next_url = request.user, _next(request, flavour)
    if services.has_device(user) and not _reauth_fresh(request):
        if user.is_verified():
            return redirect(_url(flavour, "manage"))
        return redirect(_url(flavour, "verify", next_url))
    device = services.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_device(user, device, form.cleaned_data["code"])
        except services.VerifyError as exc:
            form.add_error("code", str(exc))
        else:
            _login(request, device)
            return _codes_page(request, flavour, codes, next_url)
    return render(
        request,
        "twofactor/enrol.html",
        _context(
            flavour,
            form=form,
            next=next_url,
            qr=services.qr_svg(device),
            secret=services.secret_text(device),
            required=services.staff_required(user),
        ),
    )


def _codes_page(request, flavour, codes, next_url):
    shown = [services.display_code(c) for c in codes]
    response = render(
        request,
        "twofactor/codes.html",
        _context(
            flavour,
            codes=shown,
            download="\r\n".join(["Hội Tụ: mã khôi phục", request.user.get_username(), *shown]),
            next=next_url,
        ),
    )
    response["Cache-Control"] = "no-store"
    return response


@_signed_in
def manage(request, flavour):
    """Change the device, regenerate recovery codes or remove the second factor: each
    asks the password and a current code again."""
    user = request.user
    if not services.has_device(user):
        return redirect(_url(flavour, "enrol"))
    if not user.is_verified():
        return redirect(_url(flavour, "verify", request.get_full_path()))
    form = ReauthForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action == "tao-lai-ma":
            return _codes_page(
                request, flavour, services.new_recovery_codes(user), _next(request, flavour)
            )
        if action == "doi-thiet-bi":
            request.session[REAUTH_KEY] = time.time()
            return redirect(_url(flavour, "enrol"))
        if services.staff_required(user):
            form.add_error(
                None,
                "Tài khoản biên tập bắt buộc có xác thực hai bước: không thể gỡ bỏ. "
                "Hãy dùng “Đổi thiết bị” nếu bạn thay điện thoại.",
            )
        else:
            services.remove_devices(user)
            messages.success(request, "Đã tắt xác thực hai bước.")
            return redirect(FLAVOURS[flavour]["home"])
    return render(
        request,
        "twofactor/manage.html",
        _context(
            flavour,
            form=form,
            codes_left=sum(d.token_set.count() for d in StaticDevice.objects.filter(user=user)),
            required=services.staff_required(user),
        ),
    )
