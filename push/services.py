"""Writes of the push app: readers' subscriptions (validated), alerts, and sending them
through the readers' push services (RFC 8030) with VAPID (RFC 8292) and aes128gcm
encryption (RFC 8291) by pywebpush, in Celery batches.

Sending is idempotent per (alert, subscription): each copy has one `Delivery` row, and a
worker sends it only after moving it from pending to sending with a conditional UPDATE.
A retried or redelivered task finds nothing left to claim. A copy whose worker died in the
middle of the request is never sent again (failed after PUSH_STALE_MINUTES): a reader may
miss an alert, but never gets it twice."""

from __future__ import annotations

import datetime
import json
import logging

import requests
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from config import outbound

from . import keys
from .models import Alert, AlertStatus, Delivery, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

RECEIPT_SALT = "push.receipt"
CLICK_SALT = "push.click"
TITLE_MAX = 80
BODY_MAX = 180


class PushError(Exception):
    """A refused action; `message` is Vietnamese and shown on screen."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Subscriptions ----------------------------------------------------------------------


def clean_endpoint(value) -> str:
    """The push service's address: HTTPS, on a known push service (our server posts to
    it: any other host would make the site a relay to wherever a reader points it)."""
    problem = outbound.url_problem(
        value,
        allowed=settings.PUSH_ALLOWED_HOSTS,
        allow_loopback_http=settings.PUSH_ALLOW_LOOPBACK_HTTP,
    )
    if problem == outbound.NOT_HTTPS:
        raise PushError("Dịch vụ thông báo phải dùng kết nối bảo mật (https).", "endpoint_https")
    if problem == outbound.HOST_NOT_ALLOWED:
        raise PushError(
            "Trình duyệt này dùng một dịch vụ thông báo mà trang báo chưa hỗ trợ.", "endpoint_host"
        )
    if problem:
        raise PushError("Địa chỉ dịch vụ thông báo của trình duyệt không hợp lệ.", "endpoint")
    return value


def clean_keys(value) -> tuple[str, str]:
    """p256dh: the browser's P-256 public key (65 bytes, a point of the curve); auth: its
    16-byte secret (RFC 8291)."""
    if not isinstance(value, dict):
        raise PushError("Thiếu khóa mã hóa của trình duyệt (p256dh, auth).", "keys")
    p256dh, auth = value.get("p256dh"), value.get("auth")
    try:
        if not isinstance(p256dh, str) or len(p256dh) > 100:
            raise ValueError
        keys.public_key_point(p256dh)
    except ValueError as exc:
        raise PushError("Khóa p256dh của trình duyệt không hợp lệ.", "p256dh") from exc
    try:
        if not isinstance(auth, str) or len(auth) > 40 or len(keys.b64url_decode(auth)) != 16:
            raise ValueError
    except ValueError as exc:
        raise PushError("Khóa auth của trình duyệt không hợp lệ.", "auth") from exc
    return p256dh, auth


def subscribe(*, site, data, user=None) -> tuple[Subscription, bool]:
    """Keeps the browser's subscription (PushSubscription.toJSON()) for `site`. The same
    endpoint again updates its keys: one row per browser and outlet."""
    if not isinstance(data, dict):
        raise PushError("Dữ liệu đăng ký không hợp lệ.", "body")
    endpoint = clean_endpoint(data.get("endpoint"))
    p256dh, auth = clean_keys(data.get("keys"))
    now = timezone.now()
    values = {"p256dh": p256dh, "auth": auth, "updated_at": now}
    if user is not None and user.is_authenticated:
        values["user"] = user
    subscription, created = Subscription.objects.update_or_create(
        site=site, endpoint=endpoint, defaults=values
    )
    logger.info("Push subscription %s %s", subscription.pk, "created" if created else "updated")
    return subscription, created


def unsubscribe(*, site, endpoint) -> bool:
    if not isinstance(endpoint, str) or len(endpoint) > 1000 or not endpoint.isprintable():
        raise PushError("Địa chỉ dịch vụ thông báo của trình duyệt không hợp lệ.", "endpoint")
    deleted, _ = Subscription.objects.filter(site=site, endpoint=endpoint).delete()
    return bool(deleted)


# --- Alerts -----------------------------------------------------------------------------


def clean_text(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join((title or "").split()), " ".join((body or "").split())
    if not title:
        raise PushError("Hãy nhập tiêu đề thông báo.", "title")
    if len(title) > TITLE_MAX:
        raise PushError(f"Tiêu đề dài quá {TITLE_MAX} ký tự ({len(title)}).", "title")
    if len(body) > BODY_MAX:
        raise PushError(f"Nội dung ngắn dài quá {BODY_MAX} ký tự ({len(body)}).", "body")
    return title, body


def alert_create(*, user, story, title: str, body: str, nonce) -> tuple[Alert, bool]:
    """The confirmed alert, queued after commit. (alert, created): the same confirmation
    (nonce) twice returns the first alert and queues nothing."""
    from . import selectors

    existing = Alert.objects.filter(nonce=nonce).first()
    if existing is not None:
        return existing, False
    story = type(story).objects.filter(pk=story.pk).first()
    if story is None or not story.live:
        raise PushError("Chỉ gửi tin nóng cho bài đã xuất bản.", "not_live")
    site = story.get_site()
    if site is None:
        raise PushError("Bài này không thuộc trang báo nào.", "no_site")
    if not selectors.may_send_for(user, site):
        raise PushError("Bạn không có quyền gửi tin nóng cho trang báo này.", "forbidden")
    title, body = clean_text(title, body)
    url = story.get_full_url() or ""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                site=site,
                story=story,
                title=title,
                body=body,
                url=url,
                nonce=nonce,
                created_by=user,
            )
            transaction.on_commit(lambda: _queue(alert.pk))
    except IntegrityError:
        return Alert.objects.get(nonce=nonce), False
    _audit(alert, user)
    return alert, True


def _queue(alert_id: int) -> None:
    from .tasks import send_alert

    send_alert.delay(alert_id)


def _audit(alert: Alert, user) -> None:
    from django.apps import apps

    if not apps.is_installed("audit"):
        return
    from audit.services import record

    record(
        "push.alert_sent",
        label="Gửi tin nóng",
        user=user,
        obj=alert,
        data={"story": alert.story_id, "site": alert.site_id},
    )


def alert_start(alert_id: int) -> list[int]:
    """One delivery row per subscription of the outlet (made once, whatever runs this
    again), then the ids still to send."""
    now = timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.status == AlertStatus.SENT:
            return []
        if alert.status == AlertStatus.QUEUED:
            alert.status = AlertStatus.SENDING
            alert.started_at = now
            alert.save(update_fields=["status", "started_at"])
            subscriptions = Subscription.objects.filter(site_id=alert.site_id).values_list(
                "pk", flat=True
            )
            Delivery.objects.bulk_create(
                [Delivery(alert=alert, subscription_id=pk) for pk in subscriptions],
                ignore_conflicts=True,
                batch_size=1000,
            )
    return list(
        Delivery.objects.filter(alert_id=alert_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int]) -> list[list[int]]:
    size = settings.PUSH_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- Sending ----------------------------------------------------------------------------


def _claim(delivery_id: int, now) -> bool:
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def receipt_token(delivery_id: int) -> str:
    return signing.Signer(salt=RECEIPT_SALT).sign_object({"d": delivery_id})


def click_token(delivery_id: int) -> str:
    return signing.Signer(salt=CLICK_SALT).sign_object({"d": delivery_id})


def payload(alert: Alert, delivery_id: int) -> str:
    """What the service worker (push/static/push/sw-push.js) reads: the text, where a
    click leads (our own counted redirect to the story) and where to say it arrived."""
    base = alert.site.root_url.rstrip("/")
    return json.dumps(
        {
            "title": alert.title,
            "body": alert.body,
            "tag": f"tin-nong-{alert.pk}",
            "url": base + reverse("push:click", args=[click_token(delivery_id)]),
            "receipt": base + reverse("push:receipt", args=[receipt_token(delivery_id)]),
        },
        ensure_ascii=False,
    )


def _vapid() -> Vapid:
    return Vapid.from_raw(settings.HOITU_VAPID_PRIVATE_KEY.encode())


def _retry_delay(attempts: int, retry_after: str | None) -> float:
    delay = min(
        settings.PUSH_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.PUSH_RETRY_MAX_SECONDS
    )
    if retry_after and retry_after.strip().isdigit():  # 429/503 may say when (RFC 8030 §8.4)
        delay = max(delay, min(int(retry_after), settings.PUSH_RETRY_MAX_SECONDS))
    return delay


def _finish(delivery: Delivery, status: str, error: str = "", **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, error=error[:300], **fields)


def _retry_later(delivery: Delivery, error: str, retry_after: str | None = None) -> str:
    attempts = delivery.attempts  # this one included (counted by the claim)
    if attempts >= settings.PUSH_MAX_ATTEMPTS:
        _finish(delivery, DeliveryStatus.FAILED, error)
        logger.warning("Push delivery %s failed for good: %s", delivery.pk, error)
        return "failed"
    delay = _retry_delay(attempts, retry_after)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
        error=error[:300],
    )
    logger.info("Push delivery %s retried in %ss: %s", delivery.pk, delay, error)
    return "retry"


def post(subscription_info: dict, data: str, topic: str, *, vapid, session):
    """One request to a push service, nothing else (no database: it runs in the batch's
    threads). Returns (HTTP status or None for a network failure, error, Retry-After)."""
    try:
        webpush(
            subscription_info,
            data=data,
            vapid_private_key=vapid,
            vapid_claims={"sub": settings.HOITU_VAPID_SUBJECT},
            ttl=settings.PUSH_TTL_SECONDS,
            timeout=settings.PUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "high", "Topic": topic},
            requests_session=session,
        )
    except WebPushException as exc:
        return exc.status_code, f"{exc.status_code or ''} {str(exc)[:200]}".strip(), exc.retry_after
    except (requests.RequestException, OSError) as exc:
        # A timeout or a dropped connection: the service may be down for a while.
        return None, f"{type(exc).__name__}: {exc}"[:300], None
    return 201, "", None


def apply_result(delivery: Delivery, code: int | None, error: str, retry_after) -> str:
    """What the push service's answer means for the copy and the subscription; returns
    sent, expired, failed or retry."""
    if code is not None and code <= 202:
        now = timezone.now()
        _finish(delivery, DeliveryStatus.SENT, sent_at=now)
        Subscription.objects.filter(pk=delivery.subscription_id).update(last_sent_at=now)
        return "sent"
    if code in (404, 410):
        # RFC 8030 §7.3: the subscription is gone; nothing more goes to it.
        _finish(delivery, DeliveryStatus.EXPIRED, f"{code} đăng ký hết hạn")
        Subscription.objects.filter(pk=delivery.subscription_id).delete()
        return "expired"
    if code is None or code == 429 or code >= 500:
        return _retry_later(delivery, error, retry_after)
    # 400, 401, 403, 413: the request itself is refused; the same request again would be.
    _finish(delivery, DeliveryStatus.FAILED, error)
    logger.warning("Push delivery %s refused (%s)", delivery.pk, code)
    return "failed"


EVENT_OF = {"sent": "push_sent", "failed": "push_failed", "expired": "push_expired"}


def _claimed(delivery_ids: list[int], done: dict) -> list[Delivery]:
    claimed = []
    for delivery_id in delivery_ids:
        if _claim(delivery_id, timezone.now()):
            claimed.append(delivery_id)
        else:
            done["skipped"] += 1
    return list(
        Delivery.objects.select_related("alert__site", "subscription").filter(pk__in=claimed)
    )


def batch_send(delivery_ids: list[int]) -> dict:
    """Sends the copies of a batch, PUSH_CONCURRENCY requests at a time (push services
    answer in tens to hundreds of milliseconds: one at a time, a storm-day alert to
    50,000 browsers would take an hour). Copies are claimed a group at a time, so a
    worker that dies loses at most one group (never resent, see the module's doc); the
    database is touched only from this thread. Returns counts by outcome."""
    from concurrent.futures import ThreadPoolExecutor

    done = dict.fromkeys(("sent", "expired", "failed", "retry", "skipped"), 0)
    alerts = set()
    vapid = _vapid()
    width = max(1, settings.PUSH_CONCURRENCY)
    sessions = [requests.Session() for _ in range(width)]
    try:
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="push") as pool:
            for start in range(0, len(delivery_ids), width):
                group = _claimed(delivery_ids[start : start + width], done)
                work = []
                for delivery in group:
                    alerts.add(delivery.alert_id)
                    if delivery.subscription is None:  # deleted since (expired, turned off)
                        _finish(delivery, DeliveryStatus.SKIPPED, "Đăng ký không còn")
                        done["skipped"] += 1
                        continue
                    future = pool.submit(
                        post,
                        delivery.subscription.info(),
                        payload(delivery.alert, delivery.pk),
                        f"tin-nong-{delivery.alert_id}",
                        vapid=vapid,
                        session=sessions[len(work)],
                    )
                    work.append((delivery, future))
                for delivery, future in work:
                    outcome = apply_result(delivery, *future.result())
                    done[outcome] += 1
                    if outcome in EVENT_OF:
                        record_event(EVENT_OF[outcome], alert=delivery.alert)
    finally:
        for session in sessions:
            session.close()
        for alert_id in alerts:
            alert_finish_if_done(alert_id)
    return done


def alert_finish_if_done(alert_id: int) -> bool:
    left = Delivery.objects.filter(
        alert_id=alert_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()
    if left:
        return False
    return bool(
        Alert.objects.filter(pk=alert_id, status=AlertStatus.SENDING).update(
            status=AlertStatus.SENT, finished_at=timezone.now()
        )
    )


def sweep(*, now=None) -> dict:
    """Beat, every minute: gives up on copies whose worker died mid-send (never resent),
    returns the ids of copies due again (retries, batches whose task was lost) and the
    alerts whose start task was lost."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=settings.PUSH_STALE_MINUTES)
    for delivery in Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    ).select_related("alert__site"):
        _finish(delivery, DeliveryStatus.FAILED, "Tiến trình gửi dừng giữa chừng; không gửi lại")
        record_event("push_failed", alert=delivery.alert)
    grace = now - datetime.timedelta(minutes=2)
    retry_ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, alert__status=AlertStatus.SENDING)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, alert__started_at__lt=grace)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    queued = list(
        Alert.objects.filter(status=AlertStatus.QUEUED, created_at__lt=grace).values_list(
            "pk", flat=True
        )
    )
    for alert_id in Alert.objects.filter(status=AlertStatus.SENDING).values_list("pk", flat=True):
        alert_finish_if_done(alert_id)
    return {"retry": retry_ids, "alerts": queued}


# --- Receipts, clicks and analytics -----------------------------------------------------


def _delivery_of(token: str, salt: str) -> Delivery | None:
    try:
        data = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        return None
    return Delivery.objects.select_related("alert__site").filter(pk=data["d"]).first()


def record_receipt(*, token: str, request) -> bool:
    """The service worker says the alert reached the browser (counted once)."""
    delivery = _delivery_of(token, RECEIPT_SALT)
    if delivery is None:
        return False
    first = Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if first:
        record_event("push_delivered", alert=delivery.alert, request=request)
    return True


def record_click(*, token: str, request) -> str | None:
    """The story's address for a tracked notification click, or None for a bad token.
    The token names a delivery, never a URL: no open redirect."""
    delivery = _delivery_of(token, CLICK_SALT)
    if delivery is None:
        return None
    now = timezone.now()
    first = Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(delivered_at=now)
    if first:
        record_event("push_click", alert=delivery.alert, request=request)
    story = delivery.alert.story
    return (story.get_full_url() if story.live else None) or delivery.alert.site.root_url + "/"


def record_event(kind: str, *, alert: Alert, request=None) -> None:
    """Into analytics on channel `push`, as the newsletters' events on `email`: no IP or
    user agent is stored. A failure here never stops a send."""
    from analytics import collect
    from analytics import services as analytics

    try:
        info = collect.page_info(alert.story_id, alert.site_id)
        if info is None:
            info = collect.PageInfo(
                site_id=alert.site_id,
                hostname=alert.site.hostname,
                section_id=None,
                story_format="",
            )
        ip, agent, user = "", "", None
        if request is not None:
            from config.middleware import client_ip

            ip = client_ip(request)
            agent = request.META.get("HTTP_USER_AGENT", "")[:512]
            user = request.user if getattr(request, "user", None) else None
        event = collect.build_event(
            payload={
                "kind": kind,
                "page_id": alert.story_id,
                "referrer": "",
                "seconds": 0,
                "media": "",
            },
            info=info,
            ip=ip,
            user_agent=agent,
            user=user,
            channel="push",
        )
        analytics.event_accept(event=event)
    except Exception:
        logger.exception("Push analytics event %s for alert %s not recorded", kind, alert.pk)
