"""Business writes of the paywall, and the one gating decision (`story_access`)."""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.middleware import client_ip

from .access import AccessLevel
from .models import (
    CounterKind,
    GiftLink,
    Institution,
    InstitutionSeat,
    LedgerEntry,
    LedgerKind,
    MeterEntry,
    Order,
    OrderStatus,
    PaywallCounter,
    PaywallSettings,
    Plan,
    PromoCode,
    ReaderProfile,
    Subscription,
    SubscriptionStatus,
)

logger = logging.getLogger(__name__)

METER_COOKIE = "hoitu_meter"
METER_SALT = "paywall.meter"
GIFT_SALT = "paywall.gift"
GIFT_PARAM = "qua"  # ?qua=<signed token> on a story URL


class PaywallError(Exception):
    """A refused reader action; `message` is Vietnamese and shown on screen."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- The decision -----------------------------------------------------------------------


@dataclass
class Decision:
    full: bool
    reason: str
    # None, "register" (anonymous reader out of free stories) or "subscribe".
    wall: str | None = None
    limit: int = 0
    used: int = 0
    message: str = ""
    counted: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def current_month() -> str:
    return timezone.localtime().strftime("%Y-%m")


def meter_limit_for(site) -> int:
    return PaywallSettings.for_site(site).meter_limit if site else 0


@functools.lru_cache(maxsize=1)
def _crawler_detect():
    from crawlerdetect import CrawlerDetect

    # One compiled detector: building one per request costs ~1.7 ms, a lookup ~1 µs.
    return CrawlerDetect()


def is_bot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    if not agent:
        return True  # scripts without a user agent are not readers
    return bool(_crawler_detect().isCrawler(agent))


def is_reader(user) -> bool:
    return bool(user and user.is_authenticated)


def is_staff_reader(user) -> bool:
    """Newsroom staff read everything (previews, checks); readers never have this."""
    return is_reader(user) and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


def has_active_subscription(user, site) -> bool:
    if not is_reader(user) or site is None:
        return False
    now = timezone.now()
    return Subscription.objects.filter(
        user=user,
        site=site,
        status=SubscriptionStatus.ACTIVE,
        starts_at__lte=now,
        ends_at__gt=now,
    ).exists()


def _institutions_for(site):
    today = timezone.localdate()
    return Institution.objects.filter(is_active=True, valid_until__gte=today).filter(
        Q(site=site) | Q(site__isnull=True)
    )


def institution_for_request(request, site) -> Institution | None:
    """The institution that entitles this request, by IP range or by a seat of the reader's
    verified email domain (claimed here if a seat is free)."""
    institutions = list(_institutions_for(site))
    if not institutions:
        return None
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        address = None
    if address is not None:
        for institution in institutions:
            if any(address in net for net in institution.networks()):
                return institution
    user = getattr(request, "user", None)
    if not is_reader(user) or not user.email or "@" not in user.email:
        return None
    profile = ReaderProfile.objects.filter(user=user).first()
    if profile is None or not profile.email_verified:
        return None
    domain = user.email.rsplit("@", 1)[1].lower()
    for institution in institutions:
        if institution.email_domain and institution.email_domain.lower() == domain:
            if institution_seat_claim(institution=institution, user=user):
                return institution
    return None


def institution_seat_claim(*, institution: Institution, user) -> bool:
    """Claims a seat for the reader; False when the seat limit is reached."""
    if InstitutionSeat.objects.filter(institution=institution, user=user).exists():
        return True
    with transaction.atomic():
        # Lock the institution row so two readers cannot take the last seat together.
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if InstitutionSeat.objects.filter(institution=locked).count() >= locked.seat_limit:
            return False
        InstitutionSeat.objects.get_or_create(institution=locked, user=user)
    return True


# Anonymous meter: a signed HttpOnly cookie {"m": month, "s": {site_id: [story ids]},
# "g": {site_id: [gifted story ids]}}. Signed, so the reader cannot lower the count.


class TamperedCookie(Exception):
    pass


def _read_meter_cookie(request) -> dict:
    raw = request.COOKIES.get(METER_COOKIE)
    if not raw:
        return {}
    try:
        value = signing.get_cookie_signer(salt=METER_SALT).unsign(raw)
        data = json.loads(value)
    except (signing.BadSignature, ValueError) as exc:
        logger.warning("Tampered paywall meter cookie from %s", client_ip(request))
        raise TamperedCookie from exc
    if not isinstance(data, dict) or data.get("m") != current_month():
        return {}
    return data


def meter_cookie_value(data: dict) -> str:
    return signing.get_cookie_signer(salt=METER_SALT).sign(json.dumps(data, separators=(",", ":")))


def _queue_cookie(request, data: dict) -> None:
    # The middleware writes it on the response (HttpOnly, SameSite=Lax).
    request._paywall_meter_cookie = data


def _count(site, kind: str) -> None:
    month = current_month()
    updated = PaywallCounter.objects.filter(site=site, month=month, kind=kind).update(
        count=F("count") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                PaywallCounter.objects.create(site=site, month=month, kind=kind, count=1)
        except IntegrityError:
            PaywallCounter.objects.filter(site=site, month=month, kind=kind).update(
                count=F("count") + 1
            )


def counter_increment(*, site, kind: str) -> None:
    _count(site, kind)


def _gift_from_request(request, story, site) -> GiftLink | None:
    token = request.GET.get(GIFT_PARAM)
    if not token:
        return None
    return gift_link_redeem(token=token, story=story)


def story_access(request, story, *, count: bool = True) -> Decision:
    """The one rule: what this request may see of this story. On a GET of the story page
    by a reader (not a bot) it also charges the meter, once per story and month."""
    site = story.get_site()
    user = getattr(request, "user", None)
    level = story.access_level
    if level == AccessLevel.FREE:
        return Decision(full=True, reason="free")
    if is_staff_reader(user):
        return Decision(full=True, reason="staff")
    if has_active_subscription(user, site):
        return Decision(full=True, reason="subscriber")
    institution = institution_for_request(request, site)
    if institution is not None:
        return Decision(full=True, reason="institution", extra={"institution": institution.name})

    charge = count and request.method == "GET" and not is_bot(request)
    month = current_month()
    anonymous = not is_reader(user)
    tampered = False
    cookie = {}
    if anonymous:
        try:
            cookie = _read_meter_cookie(request)
        except TamperedCookie:
            tampered = True

    # Reopening a story already counted (or unlocked by a gift) this month costs nothing.
    if anonymous and not tampered:
        if story.pk in cookie.get("g", {}).get(str(site.pk), []):
            return Decision(full=True, reason="gift")
    elif not anonymous:
        if MeterEntry.objects.filter(user=user, site=site, month=month, story_id=story.pk).exists():
            # The meter's own count, for the reader's "N free stories left" bar.
            used = MeterEntry.objects.filter(
                user=user, site=site, month=month, gifted=False
            ).count()
            return Decision(
                full=True, reason="metered_again", limit=meter_limit_for(site), used=used
            )

    gift_error = ""
    # Only a reader's GET redeems a gift link: chat apps' link-preview bots would
    # otherwise use it up before the friend opens it.
    if request.GET.get(GIFT_PARAM) and request.method == "GET" and not is_bot(request):
        try:
            gift = _gift_from_request(request, story, site)
        except PaywallError as exc:
            gift, gift_error = None, exc.message
        if gift is not None:
            if anonymous and not tampered:
                cookie.setdefault("m", month)
                gifts = cookie.setdefault("g", {}).setdefault(str(site.pk), [])
                if story.pk not in gifts:
                    gifts.append(story.pk)
                _queue_cookie(request, cookie)
            elif not anonymous:
                MeterEntry.objects.get_or_create(
                    user=user, site=site, month=month, story_id=story.pk, defaults={"gifted": True}
                )
            return Decision(full=True, reason="gift")

    wall = "register" if anonymous else "subscribe"
    if tampered:
        return _wall(
            site,
            wall,
            charge,
            reason="meter_tampered",
            message="Không đọc được bộ đếm bài miễn phí của trình duyệt (đã bị sửa). "
            "Vui lòng đăng nhập hoặc đăng ký tài khoản để đọc tiếp.",
        )

    if level == AccessLevel.PREMIUM:
        return _wall(site, "subscribe", charge, reason="premium", message=gift_error)

    # Metered.
    limit = meter_limit_for(site)
    if anonymous:
        read = list(cookie.get("s", {}).get(str(site.pk), []))
        if story.pk in read:
            return Decision(full=True, reason="metered_again", limit=limit, used=len(read))
        if len(read) < limit:
            if charge:
                read.append(story.pk)
                cookie["m"] = month
                cookie.setdefault("s", {})[str(site.pk)] = read
                _queue_cookie(request, cookie)
                return Decision(
                    full=True, reason="metered", limit=limit, used=len(read), counted=True
                )
            return Decision(full=False, reason="not_counted", limit=limit, used=len(read))
        return _wall(
            site,
            wall,
            charge,
            reason="metered_out",
            limit=limit,
            used=len(read),
            message=gift_error,
        )

    entries = MeterEntry.objects.filter(user=user, site=site, month=month)
    used = entries.filter(gifted=False).count()
    if used < limit:
        if charge:
            _, created = MeterEntry.objects.get_or_create(
                user=user, site=site, month=month, story_id=story.pk
            )
            return Decision(
                full=True, reason="metered", limit=limit, used=used + 1, counted=created
            )
        return Decision(full=False, reason="not_counted", limit=limit, used=used)
    return _wall(
        site, wall, charge, reason="metered_out", limit=limit, used=used, message=gift_error
    )


def _wall(site, wall, charge, *, reason, message="", limit=0, used=0) -> Decision:
    if charge:
        _count(
            site, CounterKind.WALL_REGISTER if wall == "register" else CounterKind.WALL_SUBSCRIBE
        )
    return Decision(full=False, reason=reason, wall=wall, message=message, limit=limit, used=used)


def meter_merge(*, request, user) -> int:
    """At login, the anonymous cookie's stories of this month join the reader's meter.
    Returns how many entries were added."""
    try:
        cookie = _read_meter_cookie(request)
    except TamperedCookie:
        cookie = {}
    request._paywall_meter_clear = True
    if not cookie:
        return 0
    from wagtail.models import Site

    month = current_month()
    added = 0
    for kind, gifted in (("s", False), ("g", True)):
        for site_id, story_ids in cookie.get(kind, {}).items():
            site = Site.objects.filter(pk=int(site_id)).first()
            if site is None:
                continue
            for story_id in story_ids:
                _, created = MeterEntry.objects.get_or_create(
                    user=user,
                    site=site,
                    month=month,
                    story_id=int(story_id),
                    defaults={"gifted": gifted},
                )
                added += int(created)
    return added


# --- Reader accounts --------------------------------------------------------------------


def reader_create(*, email: str, password: str, commune_code: int | None = None):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        user = User.objects.create_user(
            username=email, email=email, password=password, is_staff=False
        )
        ReaderProfile.objects.create(user=user, commune_code=commune_code)
    return user


def reader_verify_email(*, user) -> None:
    profile, _ = ReaderProfile.objects.get_or_create(user=user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])


# --- Promo codes ------------------------------------------------------------------------


def promo_reserve(*, code: str, site) -> PromoCode:
    """Takes one use of a promo code, atomically: the limit holds under concurrency since
    the conditional UPDATE only succeeds while used_count < max_uses."""
    now = timezone.now()
    promo = PromoCode.objects.filter(code__iexact=code.strip()).first()
    if promo is None or (promo.site_id and promo.site_id != site.pk):
        raise PaywallError("Mã khuyến mại không tồn tại.", "promo_unknown")
    if not promo.valid_from <= now <= promo.valid_until:
        raise PaywallError("Mã khuyến mại đã hết hạn hoặc chưa có hiệu lực.", "promo_expired")
    taken = PromoCode.objects.filter(pk=promo.pk, used_count__lt=F("max_uses")).update(
        used_count=F("used_count") + 1
    )
    if not taken:
        raise PaywallError("Mã khuyến mại đã hết lượt sử dụng.", "promo_exhausted")
    promo.refresh_from_db()
    return promo


def promo_release(*, promo: PromoCode) -> None:
    PromoCode.objects.filter(pk=promo.pk, used_count__gt=0).update(used_count=F("used_count") - 1)


# --- Orders, subscriptions, payments ----------------------------------------------------


def order_create(*, user, plan: Plan, gateway: str, promo_code: str = "") -> Order:
    if not plan.is_active:
        raise PaywallError("Gói cước này không còn bán.", "plan_inactive")
    with transaction.atomic():
        promo = promo_reserve(code=promo_code, site=plan.site) if promo_code.strip() else None
        amount = promo.discounted(plan.price) if promo else plan.price
        if amount < 1000:
            # Gateways refuse payments under 1.000 đ (MoMo's documented minimum).
            raise PaywallError("Số tiền sau khuyến mại quá nhỏ để thanh toán.", "amount_small")
        subscription = Subscription.objects.create(
            user=user, site=plan.site, plan=plan, status=SubscriptionStatus.PENDING
        )
        return Order.objects.create(
            user=user,
            site=plan.site,
            plan=plan,
            subscription=subscription,
            promo=promo,
            gateway=gateway,
            list_price=plan.price,
            amount=amount,
        )


# Every change of an order's status goes through `_order_move`, on the order's row locked
# by `_order_locked` inside the caller's transaction, and only along these arrows. A
# failure never un-pays an order. A payment the gateway confirms (signed, right amount)
# after the order failed or was cancelled is honoured: the gateway took the reader's
# money, so the order becomes paid and its subscription starts (logged as a warning for
# staff, who may refund it). Refunds never change the order's status: they are `Refund`
# rows and negative ledger entries against a paid order.
ORDER_TRANSITIONS = {
    OrderStatus.PENDING: {OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.CANCELLED},
    OrderStatus.FAILED: {OrderStatus.PAID},
    OrderStatus.CANCELLED: {OrderStatus.PAID},
    OrderStatus.PAID: set(),
}


class TransitionRefused(Exception):
    pass


def _order_locked(pk: int) -> Order:
    """The order's row, locked until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise TransitionRefused("an order's status changes only inside a transaction")
    return Order.objects.select_for_update().get(pk=pk)


def _order_move(order: Order, to: str, **fields) -> None:
    if to not in ORDER_TRANSITIONS[order.status]:
        raise TransitionRefused(f"order {order.reference}: {order.status} -> {to} is not allowed")
    order.status = to
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["status", *fields])


def _release_pending(order: Order) -> None:
    """A pending order that ends unpaid gives back its subscription and promo use."""
    Subscription.objects.filter(pk=order.subscription_id, status=SubscriptionStatus.PENDING).update(
        status=SubscriptionStatus.CANCELLED, cancelled_at=timezone.now()
    )
    if order.promo_id:
        promo_release(promo=order.promo)


def order_cancel(*, order: Order) -> bool:
    """A reader abandons a pending order (or the gateway refused to create it)."""
    with transaction.atomic():
        order = _order_locked(order.pk)
        if order.status != OrderStatus.PENDING:
            return False
        _order_move(order, OrderStatus.CANCELLED)
        _release_pending(order)
    return True


class Confirm:
    """Outcomes of a payment notification, in the order they are checked."""

    OK = "ok"
    NOT_FOUND = "not_found"
    WRONG_AMOUNT = "wrong_amount"
    ALREADY = "already_confirmed"


def order_find(*, gateway: str, reference: str) -> Order | None:
    return (
        Order.objects.filter(gateway=gateway)
        .filter(Q(reference=reference) | Q(gateway_order_id=reference))
        .first()
    )


def order_confirm_payment(
    *, gateway: str, reference: str, amount: int, gateway_ref: str, reconciled: bool = False
) -> str:
    """Called by an IPN whose signature is already verified, or by reconciliation with the
    gateway's signed query answer (`reconciled`). Checks order, amount and "already
    confirmed" in that order, under a row lock; only OK changes anything. A payment after
    the order failed or was cancelled is honoured (see ORDER_TRANSITIONS)."""
    with transaction.atomic():
        order = order_find(gateway=gateway, reference=reference)
        if order is None:
            return Confirm.NOT_FOUND
        order = _order_locked(order.pk)
        if int(amount) != order.amount:
            logger.warning("Payment %s: amount %s != %s", order.reference, amount, order.amount)
            return Confirm.WRONG_AMOUNT
        if order.status == OrderStatus.PAID:
            return Confirm.ALREADY
        late = order.status != OrderStatus.PENDING
        if late:
            logger.warning(
                "Late payment for %s order %s (%s %s): honoured, the gateway took the money",
                order.status,
                order.reference,
                gateway,
                gateway_ref,
            )
            if order.promo_id:
                _promo_retake(order)
        now = timezone.now()
        _order_move(
            order,
            OrderStatus.PAID,
            paid_at=now,
            gateway_ref=str(gateway_ref)[:64],
            settled_by_reconciliation=reconciled,
        )
        subscription = Subscription.objects.select_for_update().get(pk=order.subscription_id)
        subscription_activate(subscription=subscription, now=now)
        LedgerEntry.objects.create(
            kind=LedgerKind.PAYMENT,
            amount=order.amount,
            site=order.site,
            plan=order.plan,
            gateway=order.gateway,
            gateway_ref=order.gateway_ref,
            order=order,
            subscription=subscription,
        )
        _count(order.site, CounterKind.CONVERSION)
    return Confirm.OK


def _promo_retake(order: Order) -> None:
    """A failed order gave its promo use back; paid after all, it takes it again (the
    reader paid the discounted price) if the code still has one, else it is logged."""
    taken = PromoCode.objects.filter(pk=order.promo_id, used_count__lt=F("max_uses")).update(
        used_count=F("used_count") + 1
    )
    if not taken:
        logger.warning(
            "Late payment %s: promo code %s has no use left", order.reference, order.promo
        )


def order_mark_failed(
    *, gateway: str, reference: str, amount: int | None, reconciled: bool = False
) -> str:
    """A verified report of a failed payment: the pending order fails and its subscription
    and promo use are released. Under the order's row lock, so a success that arrives at
    the same moment is never overwritten. `amount` None: the report carries none (a query
    answer for an order the gateway never saw)."""
    with transaction.atomic():
        order = order_find(gateway=gateway, reference=reference)
        if order is None:
            return Confirm.NOT_FOUND
        order = _order_locked(order.pk)
        if amount is not None and int(amount) != order.amount:
            return Confirm.WRONG_AMOUNT
        if order.status != OrderStatus.PENDING:
            if order.status == OrderStatus.PAID:
                logger.info("Late failure report for paid order %s ignored", order.reference)
            return Confirm.ALREADY
        _order_move(order, OrderStatus.FAILED, settled_by_reconciliation=reconciled)
        _release_pending(order)
    return Confirm.OK


def subscription_activate(*, subscription: Subscription, now=None) -> Subscription:
    now = now or timezone.now()
    latest = (
        Subscription.objects.filter(
            user=subscription.user_id,
            site=subscription.site_id,
            status=SubscriptionStatus.ACTIVE,
            ends_at__gt=now,
        )
        .exclude(pk=subscription.pk)
        .order_by("-ends_at")
        .first()
    )
    # A renewal bought before the end starts where the current one ends.
    start = latest.ends_at if latest else now
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.starts_at = start
    subscription.ends_at = start + timedelta(days=subscription.plan.duration_days)
    subscription.activated_at = now
    subscription.cancelled_at = None  # a late payment revives a released subscription
    subscription.save(
        update_fields=["status", "starts_at", "ends_at", "activated_at", "cancelled_at"]
    )
    return subscription


def subscription_cancel(*, subscription: Subscription, refund_amount: int = 0) -> Subscription:
    """Ends a subscription now. A refund (if any) is a negative ledger entry."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != SubscriptionStatus.ACTIVE:
            raise PaywallError("Chỉ hủy được thuê bao đang hiệu lực.", "not_active")
        now = timezone.now()
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_at = now
        subscription.save(update_fields=["status", "cancelled_at"])
        order = Order.objects.filter(subscription=subscription).first()
        common = dict(
            site_id=subscription.site_id,
            plan_id=subscription.plan_id,
            gateway=order.gateway if order else "manual",
            gateway_ref=order.gateway_ref if order else "",
            order=order,
            subscription=subscription,
        )
        LedgerEntry.objects.create(kind=LedgerKind.CANCELLATION, amount=0, **common)
        if refund_amount:
            paid = order.amount if order else 0
            if refund_amount < 0 or refund_amount > paid:
                raise PaywallError("Số tiền hoàn không hợp lệ.", "refund_invalid")
            LedgerEntry.objects.create(kind=LedgerKind.REFUND, amount=-refund_amount, **common)
    return subscription


def subscriptions_expire(*, now=None) -> int:
    now = now or timezone.now()
    return Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, ends_at__lte=now).update(
        status=SubscriptionStatus.EXPIRED
    )


def subscription_remind(*, subscription_id: int) -> bool:
    """Sends one renewal reminder; idempotent (reminded_at is set once)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    with transaction.atomic():
        sub = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan", "user", "site")
            .filter(pk=subscription_id, status=SubscriptionStatus.ACTIVE, reminded_at__isnull=True)
            .first()
        )
        if sub is None or sub.user is None or not sub.user.email:
            return False
        sub.reminded_at = timezone.now()
        sub.save(update_fields=["reminded_at"])
        context = {"subscription": sub, "site": sub.site}
        send_mail(
            subject=f"Thuê bao {sub.plan.name} sắp hết hạn",
            message=render_to_string("paywall/email/renewal_reminder.txt", context),
            from_email=None,
            recipient_list=[sub.user.email],
        )
    return True


def reminders_due(*, now=None, days: int | None = None):
    now = now or timezone.now()
    days = days if days is not None else getattr(settings, "PAYWALL_REMINDER_DAYS", 3)
    return Subscription.objects.filter(
        status=SubscriptionStatus.ACTIVE,
        user__isnull=False,  # nobody to remind once the reader deleted their account
        reminded_at__isnull=True,
        ends_at__gt=now,
        ends_at__lte=now + timedelta(days=days),
    ).values_list("pk", flat=True)


# --- Gift links -------------------------------------------------------------------------


def gift_link_create(*, user, story) -> str:
    """Returns the signed token of a new gift link; refused beyond the monthly quota."""
    site = story.get_site()
    if not has_active_subscription(user, site):
        raise PaywallError("Chỉ thuê bao đang hiệu lực mới tặng được bài.", "not_subscriber")
    config = PaywallSettings.for_site(site)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # Lock the giver's links of this month so parallel requests keep the quota.
        made = GiftLink.objects.select_for_update().filter(giver=user, created_at__gte=start)
        if len(made) >= config.gift_links_per_month:
            raise PaywallError(
                f"Bạn đã dùng hết {config.gift_links_per_month} lượt tặng bài của tháng này.",
                "gift_quota",
            )
        now = timezone.now()
        gift = GiftLink.objects.create(
            giver=user,
            site=site,
            story_id=story.pk,
            created_at=now,
            expires_at=now + timedelta(days=config.gift_link_days),
            max_uses=config.gift_link_uses,
        )
    return signing.dumps({"g": gift.pk, "s": story.pk}, salt=GIFT_SALT, compress=True)


def gift_link_redeem(*, token: str, story) -> GiftLink:
    try:
        data = signing.loads(token, salt=GIFT_SALT)
    except signing.BadSignature as exc:
        raise PaywallError("Liên kết tặng bài không hợp lệ.", "gift_invalid") from exc
    if not isinstance(data, dict) or data.get("s") != story.pk:
        raise PaywallError("Liên kết tặng bài không dành cho bài này.", "gift_invalid")
    with transaction.atomic():
        gift = GiftLink.objects.select_for_update().filter(pk=data.get("g")).first()
        if gift is None or gift.story_id != story.pk:
            raise PaywallError("Liên kết tặng bài không hợp lệ.", "gift_invalid")
        if gift.expires_at <= timezone.now():
            raise PaywallError("Liên kết tặng bài đã hết hạn.", "gift_expired")
        if gift.uses >= gift.max_uses:
            raise PaywallError("Liên kết tặng bài đã hết lượt đọc.", "gift_used_up")
        GiftLink.objects.filter(pk=gift.pk).update(uses=F("uses") + 1)
    return gift
