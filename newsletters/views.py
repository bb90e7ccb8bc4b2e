"""Reader pages of the newsletters: sign-up on the outlet, the confirmation link, the
one-click unsubscribe (RFC 8058), the open pixel and tracked links. Thin: the work is in
services."""

import base64
import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Site

from config.middleware import client_ip
from outbox.services import enqueue

from . import services
from .forms import AccountNewslettersForm, SubscribeForm
from .models import Subscriber, SubscriberStatus
from .tasks import send_confirmation

logger = logging.getLogger(__name__)

# A transparent 1x1 GIF (43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

CHECK_MAIL = {
    "title": "Kiểm tra hộp thư của bạn",
    "text": (
        "Nếu địa chỉ {email} nhận được thư của chúng tôi, bạn sẽ thấy một thư xác nhận trong "
        "vài phút. Bấm vào liên kết trong thư để bắt đầu nhận bản tin. Không thấy thư? Hãy "
        "xem thư mục Spam (Thư rác)."
    ),
}


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không xác định được trang báo.")
    return site


def _message(request, title, text, status=200, **extra):
    return render(
        request,
        "newsletters/message.html",
        {"title": title, "text": text, **extra},
        status=status,
    )


def signup_rate_key(ip: str) -> str:
    """The cache key counting an address's sign-ups (a hash, never the IP)."""
    return f"newsletters:signup-rate:{hashlib.sha256(ip.encode()).hexdigest()[:20]}"


def _too_many(request) -> bool:
    """Sign-ups per address and hour."""
    key = signup_rate_key(client_ip(request))
    if cache.add(key, 1, 3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, 3600)
        return False
    return count > settings.NEWSLETTER_SIGNUPS_PER_HOUR


def _queue_confirmation(request, subscriber):
    link = request.build_absolute_uri(
        reverse("newsletters:confirm", args=[subscriber.confirm_token])
    )
    enqueue(send_confirmation, subscriber.pk, link)  # kept if the broker is away


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    site = _site(request)
    lists = list(services.newsletters_for_site(site))
    initial = {"newsletters": [lists[0].pk]} if lists else {}
    if request.user.is_authenticated and request.user.email:
        initial["email"] = request.user.email
    form = SubscribeForm(request.POST or None, newsletters=lists, initial=initial)
    if request.method == "POST":
        if _too_many(request):
            return _message(
                request,
                "Bạn thao tác quá nhanh",
                "Địa chỉ mạng của bạn đã đăng ký nhiều lần trong một giờ. Hãy thử lại sau.",
                status=429,
            )
        if form.is_valid():
            try:
                subscriber, due = services.subscribe(
                    site=site,
                    email=form.cleaned_data["email"],
                    newsletter_ids=form.cleaned_data["newsletters"],
                )
            except services.NewsletterError as exc:
                form.add_error("newsletters", exc.message)
            else:
                if due:
                    _queue_confirmation(request, subscriber)
                # The same answer for a new, a known, a confirmed or a bounced address.
                return _message(
                    request,
                    CHECK_MAIL["title"],
                    CHECK_MAIL["text"].format(email=form.cleaned_data["email"]),
                )
    return render(
        request,
        "newsletters/signup.html",
        {"form": form, "lists": lists},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
def confirm_view(request, token):
    try:
        subscriber = services.confirm(token=token)
    except services.NewsletterError as exc:
        return _message(request, "Chưa xác nhận được", exc.message, status=400)
    lists = subscriber.newsletters.order_by("sort_order", "title")
    return _message(
        request,
        "Đã xác nhận đăng ký bản tin",
        f"Từ nay {subscriber.email} sẽ nhận các bản tin đã chọn. Mỗi thư đều có liên kết "
        "hủy nhận ở cuối thư.",
        lists=lists,
    )


@never_cache
@csrf_exempt  # RFC 8058: the mail app POSTs without a cookie; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    """GET shows a button (link scanners must not unsubscribe anybody); POST — from that
    button or a mail app's one-click "List-Unsubscribe=One-Click" — unsubscribes."""
    try:
        subscriber, newsletter = services.read_unsubscribe_token(token)
    except services.NewsletterError as exc:
        return _message(request, "Không hủy được", exc.message, status=400)
    if request.method == "POST":
        everything = request.POST.get("tat-ca") == "1" or newsletter is None
        services.unsubscribe(subscriber=subscriber, newsletter=None if everything else newsletter)
        text = (
            f"{subscriber.email} sẽ không nhận bản tin nào của trang này nữa."
            if everything
            else f"{subscriber.email} sẽ không nhận «{newsletter.title}» nữa."
        )
        return _message(request, "Đã hủy nhận bản tin", text)
    return render(
        request,
        "newsletters/unsubscribe.html",
        {"subscriber": subscriber, "newsletter": newsletter, "token": token},
    )


@require_GET
def open_pixel(request, token):
    """Counts an open (a mail app showing the images) and answers the same pixel for
    any token, good or bad."""
    try:
        services.record_open(token=token, request=request)
    except Exception:  # noqa: BLE001 - counting must never break a reader's mail
        logger.exception("Newsletter open not counted")
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def click(request, token):
    target = services.record_click(token=token, request=request)
    if target is None:
        return _message(
            request,
            "Liên kết không hợp lệ",
            "Liên kết trong thư đã bị thay đổi. Hãy mở trang chủ để đọc tin.",
            status=400,
        )
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store, private"
    return response


def account_context(request):
    """The account page's box (template tag `newsletter_account_box`)."""
    site = Site.find_for_request(request)
    if site is None or not request.user.is_authenticated:
        return None
    lists = list(services.newsletters_for_site(site))
    subscriber = (
        Subscriber.objects.filter(site=site, user=request.user).first()
        or Subscriber.objects.filter(
            site=site, email=services.normalise_email(request.user.email or "")
        ).first()
    )
    chosen = []
    if subscriber is not None and subscriber.status == SubscriberStatus.CONFIRMED:
        chosen = list(subscriber.newsletters.values_list("pk", flat=True))
    form = AccountNewslettersForm(newsletters=lists, initial={"newsletters": chosen})
    return {"form": form, "subscriber": subscriber, "lists": lists}


@never_cache
@require_POST
@login_required(login_url=reverse_lazy("paywall:login"))
def account_lists(request):
    """Saves the account box: a verified address gets its lists at once (it was confirmed
    by the account's own e-mail check); an unverified one gets a confirmation mail."""
    from paywall.models import ReaderProfile

    site = _site(request)
    lists = list(services.newsletters_for_site(site))
    form = AccountNewslettersForm(request.POST, newsletters=lists)
    if not form.is_valid() or not request.user.email:
        messages.error(request, "Không lưu được lựa chọn bản tin.")
        return redirect("paywall:account")
    wanted = form.cleaned_data["newsletters"]
    profile = ReaderProfile.objects.filter(user=request.user).first()
    verified = bool(profile and profile.email_verified)
    subscriber = Subscriber.objects.filter(site=site, user=request.user).first()
    if not wanted:
        if subscriber is not None:
            services.unsubscribe(subscriber=subscriber, newsletter=None)
        messages.success(request, "Bạn sẽ không nhận bản tin của trang này nữa.")
        return redirect("paywall:account")
    subscriber, due = services.subscribe(
        site=site,
        email=request.user.email,
        newsletter_ids=wanted,
        user=request.user,
        verified=verified,
    )
    if verified:
        for newsletter in subscriber.newsletters.exclude(pk__in=wanted):
            services.unsubscribe(subscriber=subscriber, newsletter=newsletter)
        messages.success(request, "Đã lưu lựa chọn bản tin.")
    else:
        if due:
            _queue_confirmation(request, subscriber)
        messages.info(request, "Đã gửi thư xác nhận: bấm liên kết trong thư để nhận bản tin.")
    return redirect("paywall:account")
