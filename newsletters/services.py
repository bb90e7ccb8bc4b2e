"""Writes of the newsletters app: subscribing (double opt-in), unsubscribing (RFC 8058),
building editions, sending them in batches over SMTP, and counting opens and clicks.

Sending is idempotent per (edition, subscriber): each copy has one `Delivery` row, and a
worker sends it only after moving it from pending to sending with a conditional UPDATE.
A retried or redelivered task finds nothing left to claim. A copy whose worker died in the
middle of the SMTP conversation is never sent again (it is marked failed after
NEWSLETTER_STALE_MINUTES): a reader may miss one edition, but never gets it twice."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import Page

from newsroom.models import Outlet, StoryPage
from paywall import gating
from paywall.services import has_active_subscription

from .models import (
    Delivery,
    DeliveryStatus,
    Edition,
    EditionItem,
    EditionStatus,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    new_confirm_token,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
OPEN_SALT = "newsletters.open"
CLICK_SALT = "newsletters.click"


class NewsletterError(Exception):
    """A refused reader action; `message` is Vietnamese and shown on screen."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Lists ------------------------------------------------------------------------------


def newsletters_for_site(site):
    """The outlet's lists: the daily digest and one per section in its menu, made on
    first use (an editor may rename, describe or switch them off in the admin)."""
    from newsroom.models import SectionPage

    if site is None:
        return Newsletter.objects.none()
    outlet = Outlet.objects.filter(site=site).first()
    name = outlet.name if outlet else (site.site_name or site.hostname)
    Newsletter.objects.get_or_create(
        site=site,
        section=None,
        defaults={
            "title": f"Điểm tin hằng ngày — {name}",
            "description": "Những bài đáng đọc nhất trong ngày, gửi mỗi chiều.",
        },
    )
    sections = SectionPage.objects.child_of(site.root_page).live().in_menu()
    known = set(
        Newsletter.objects.filter(site=site, section__isnull=False).values_list(
            "section_id", flat=True
        )
    )
    for order, section in enumerate(sections, start=1):
        if section.pk not in known:
            Newsletter.objects.get_or_create(
                site=site,
                section=section,
                defaults={"title": f"Chuyên mục {section.title}", "sort_order": order},
            )
    return Newsletter.objects.filter(site=site, is_active=True).select_related("section")


# --- Subscribing ------------------------------------------------------------------------

# One confirmation mail per address and outlet in this time: repeating the form cannot
# flood somebody's mailbox.
CONFIRM_MAIL_SECONDS = 15 * 60
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


def normalise_email(email: str) -> str:
    """Lower-cased, as the paywall's accounts are: one subscriber per mailbox, however the
    reader typed it."""
    return (email or "").strip().lower()


def _mail_once(key: str) -> bool:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return cache.add(f"newsletters:confirm-mailed:{digest}", 1, timeout=CONFIRM_MAIL_SECONDS)


def subscribe(*, site, email: str, newsletter_ids: list[int], user=None, verified=False):
    """Asks for the lists `newsletter_ids` of `site` for `email`. Returns the subscriber
    and whether a confirmation mail is due. Nothing here depends on whether the address
    was known, so the page answers the same either way; a reader logged in with a
    verified address (`verified`) needs no confirmation."""
    email = normalise_email(email)
    wanted = sorted(
        set(
            Newsletter.objects.filter(site=site, is_active=True, pk__in=newsletter_ids).values_list(
                "pk", flat=True
            )
        )
    )
    if not wanted:
        raise NewsletterError("Hãy chọn ít nhất một bản tin.", "no_list")
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(site=site, email=email)
        if user is not None and subscriber.user_id is None:
            subscriber.user = user
        if verified:
            subscriber.newsletters.add(*wanted)
            subscriber.status = SubscriberStatus.CONFIRMED
            subscriber.confirmed_at = subscriber.confirmed_at or now
            subscriber.requested = []
            subscriber.save()
            return subscriber, False
        if subscriber.status == SubscriberStatus.BOUNCED:
            # Mail to it comes back: nothing is sent, the answer is the same.
            return subscriber, False
        subscriber.requested = wanted
        if not subscriber.confirm_sent_at or now - subscriber.confirm_sent_at > CONFIRM_MAX_AGE:
            subscriber.confirm_token = new_confirm_token()
        due = _mail_once(f"{site.pk}:{email}")
        if due:
            subscriber.confirm_sent_at = now
        subscriber.save()
    return subscriber, due


def confirm(*, token: str) -> Subscriber:
    """The link of the confirmation mail: the lists asked for become the reader's."""
    if not token or len(token) > 64 or "\x00" in token:
        raise NewsletterError("Liên kết xác nhận không hợp lệ.")
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(confirm_token=token).first()
        if subscriber is None:
            raise NewsletterError("Liên kết xác nhận không hợp lệ hoặc đã được dùng.")
        if (
            subscriber.confirm_sent_at is None
            or timezone.now() - subscriber.confirm_sent_at > CONFIRM_MAX_AGE
        ):
            raise NewsletterError(
                "Liên kết xác nhận đã hết hạn. Hãy đăng ký lại để nhận liên kết mới.", "expired"
            )
        wanted = list(
            Newsletter.objects.filter(site=subscriber.site, pk__in=subscriber.requested or [])
        )
        subscriber.newsletters.add(*wanted)
        subscriber.requested = []
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.confirm_token = new_confirm_token()  # a link works once
        subscriber.save()
    return subscriber


def unsubscribe_token(subscriber: Subscriber, newsletter: Newsletter | None) -> str:
    """Never expires (an old mail's link must still work); signed, so nobody can
    unsubscribe another reader by guessing numbers."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"s": subscriber.pk, "n": newsletter.pk if newsletter else 0}
    )


def read_unsubscribe_token(token: str) -> tuple[Subscriber, Newsletter | None]:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise NewsletterError("Liên kết hủy nhận bản tin không hợp lệ.") from exc
    if not isinstance(data, dict):
        raise NewsletterError("Liên kết hủy nhận bản tin không hợp lệ.")
    subscriber = Subscriber.objects.select_related("site").filter(pk=data.get("s")).first()
    if subscriber is None:
        raise NewsletterError("Địa chỉ này không còn trong danh sách nhận bản tin.", "gone")
    newsletter = Newsletter.objects.filter(pk=data.get("n"), site=subscriber.site).first()
    return subscriber, newsletter


def unsubscribe(*, subscriber: Subscriber, newsletter: Newsletter | None) -> None:
    """Takes the reader off `newsletter` (off every list when None, or when it was the
    last one). Repeating it changes nothing."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if newsletter is not None:
            subscriber.newsletters.remove(newsletter)
        if newsletter is None or not subscriber.newsletters.exists():
            subscriber.newsletters.clear()
            if subscriber.status != SubscriberStatus.BOUNCED:
                subscriber.status = SubscriberStatus.UNSUBSCRIBED
            subscriber.unsubscribed_at = timezone.now()
            subscriber.requested = []
        subscriber.save()
        # Copies of this list not sent yet are not sent any more.
        pending = Delivery.objects.filter(subscriber=subscriber, status=DeliveryStatus.PENDING)
        if newsletter is not None and subscriber.status == SubscriberStatus.CONFIRMED:
            pending = pending.filter(edition__newsletter=newsletter)
        pending.update(status=DeliveryStatus.SKIPPED, error="Đã hủy nhận bản tin")
    logger.info("Newsletter subscriber %s unsubscribed (list %s)", subscriber.pk, newsletter)


# --- Editions ---------------------------------------------------------------------------


def _local_day_bounds(day: datetime.date):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def day_stories(newsletter: Newsletter, day: datetime.date):
    """The stories of the outlet (or section) first published on `day`, newest first."""
    start, end = _local_day_bounds(day)
    stories = StoryPage.objects.live().public()
    if newsletter.section_id:
        stories = stories.child_of(newsletter.section)
    else:
        stories = stories.descendant_of(newsletter.site.root_page)
    return stories.filter(first_published_at__gte=start, first_published_at__lt=end).order_by(
        "-first_published_at"
    )[: settings.NEWSLETTER_MAX_STORIES]


def edition_build(newsletter: Newsletter, day: datetime.date, *, stories=None) -> Edition | None:
    """The edition of `day` (made once; an existing one is returned as it stands, so an
    editor's changes are kept). None when the day has no story to send."""
    existing = Edition.objects.filter(newsletter=newsletter, date=day).first()
    if existing is not None:
        return existing
    stories = list(stories if stories is not None else day_stories(newsletter, day))
    if not stories:
        return None
    scheduled = None
    if newsletter.auto_schedule:
        scheduled = timezone.make_aware(datetime.datetime.combine(day, newsletter.send_time))
    edition = Edition(
        newsletter=newsletter,
        date=day,
        subject=f"{newsletter.title} ngày {day:%d/%m/%Y}",
        status=EditionStatus.SCHEDULED if scheduled else EditionStatus.DRAFT,
        scheduled_at=scheduled,
    )
    edition.items = [EditionItem(story=s, sort_order=i) for i, s in enumerate(stories)]
    with transaction.atomic():
        if Edition.objects.filter(newsletter=newsletter, date=day).exists():
            return Edition.objects.get(newsletter=newsletter, date=day)
        edition.save()
    return edition


def editions_build_due(*, now=None) -> int:
    """Beat: today's edition of every active list, made NEWSLETTER_BUILD_AHEAD before its
    sending time so editors can look at it and change it."""
    now = timezone.localtime(now or timezone.now())
    made = 0
    for newsletter in Newsletter.objects.filter(is_active=True).select_related("site", "section"):
        send_at = timezone.make_aware(datetime.datetime.combine(now.date(), newsletter.send_time))
        if now < send_at - settings.NEWSLETTER_BUILD_AHEAD:
            continue
        if Edition.objects.filter(newsletter=newsletter, date=now.date()).exists():
            continue
        if edition_build(newsletter, now.date()) is not None:
            made += 1
    return made


def edition_schedule(edition: Edition, when: datetime.datetime) -> None:
    if not edition.editable:
        raise NewsletterError("Số này đã gửi hoặc đang gửi, không lên lịch lại được.")
    if not edition.items.exists():
        raise NewsletterError("Số này chưa có bài nào.")
    Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.SCHEDULED, scheduled_at=when)


# --- Rendering --------------------------------------------------------------------------


@dataclasses.dataclass
class StoryEntry:
    title: str
    url: str
    standfirst: str
    image_url: str = ""
    paid: bool = False
    paragraphs: list[str] = dataclasses.field(default_factory=list)
    locked: bool = False  # a paid story of which this reader gets only the teaser


def _paragraphs(blocks) -> list[str]:
    return [p.strip() for p in gating.blocks_text(blocks).split("\n\n") if p.strip()]


def story_entry(story: StoryPage, *, entitled: bool, url: str) -> StoryEntry:
    """One story as this reader's copy shows it. The text comes only from the paywall's
    gating rule: a free story's standfirst; a paid one's teaser blocks for everyone, its
    paid blocks only in the subscriber edition."""
    paid = not gating.is_free(story)
    entry = StoryEntry(title=story.title, url=url, standfirst=story.standfirst, paid=paid)
    if paid:
        blocks = gating.teaser_blocks(story)
        if entitled:
            blocks = blocks + gating.paid_blocks(story)
        else:
            entry.locked = True
        entry.paragraphs = _paragraphs(blocks)
    if story.lead_image_id:
        try:
            rendition = story.lead_image.get_rendition("fill-560x315|format-jpeg|jpegquality-70")
            entry.image_url = rendition.url
        except Exception:  # a missing file must not stop a whole edition
            logger.warning("No newsletter image for story %s", story.pk, exc_info=True)
    return entry


def edition_entries(edition: Edition, *, entitled: bool) -> list[tuple[int, StoryEntry]]:
    """(story id, entry) for the edition's live stories in order, links to the stories
    themselves; a batch makes them once per edition and copy kind (`prepared`)."""
    site = edition.newsletter.site
    base = site_base_url(site)
    found = []
    for item in edition.items.select_related("story").order_by("sort_order"):
        if not item.story.live:
            continue
        story = item.story.specific
        entry = story_entry(
            story, entitled=entitled, url=_absolute(base, story.get_url(current_site=site) or "/")
        )
        if entry.image_url:
            entry.image_url = _absolute(base, entry.image_url)
        found.append((story.pk, entry))
    return found


def site_base_url(site) -> str:
    return site.root_url.rstrip("/")


def _absolute(base: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{base}{url}"


def open_token(delivery_id: int) -> str:
    return signing.Signer(salt=OPEN_SALT).sign_object({"d": delivery_id})


def click_token(delivery_id: int, page_id: int) -> str:
    return signing.Signer(salt=CLICK_SALT).sign_object({"d": delivery_id, "p": page_id})


def is_subscriber_edition(subscriber: Subscriber) -> bool:
    """The paywall decides: an active subscription to the outlet gets paid text."""
    return subscriber.user is not None and has_active_subscription(subscriber.user, subscriber.site)


def render_copy(
    edition: Edition,
    subscriber: Subscriber,
    *,
    delivery_id: int | None = None,
    entitled: bool | None = None,
    prepared: dict | None = None,
):
    """(subject, text, html, headers) of one reader's copy. Without `delivery_id` (the
    editors' preview) links are plain and there is no open pixel; `entitled` forces the
    free or the subscriber copy (preview), else the paywall decides for the reader."""
    from django.urls import reverse

    site = edition.newsletter.site
    base = site_base_url(site)
    if entitled is None:
        entitled = is_subscriber_edition(subscriber)

    key = (edition.pk, entitled)
    prepared = {} if prepared is None else prepared
    if key not in prepared:
        prepared[key] = edition_entries(edition, entitled=entitled)
    entries = []
    for story_id, entry in prepared[key]:
        if delivery_id is not None:
            tracked = reverse("newsletters:click", args=[click_token(delivery_id, story_id)])
            entry = dataclasses.replace(entry, url=base + tracked)
        entries.append(entry)
    unsubscribe_url = base + reverse(
        "newsletters:unsubscribe", args=[unsubscribe_token(subscriber, edition.newsletter)]
    )
    outlet = Outlet.objects.select_related("agency").filter(site=site).first()
    context = {
        "edition": edition,
        "newsletter": edition.newsletter,
        "outlet": outlet,
        "outlet_name": outlet.name if outlet else site.site_name,
        "entries": entries,
        "subscriber_edition": entitled,
        "unsubscribe_url": unsubscribe_url,
        "home_url": base + "/",
        "plans_url": base + reverse("paywall:plans"),
        "open_url": base + reverse("newsletters:open", args=[open_token(delivery_id)])
        if delivery_id
        else "",
    }
    text = render_to_string("newsletters/email/edition.txt", context)
    html = render_to_string("newsletters/email/edition.html", context)
    headers = {
        # RFC 2369 and RFC 8058: one-click unsubscribe by an HTTPS POST from the mail app.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{edition.newsletter.title} <newsletter-{edition.newsletter.pk}.{site.hostname}>",
    }
    return edition.subject, text, html, headers


# --- Sending ----------------------------------------------------------------------------


def _from_email(site) -> str:
    outlet = Outlet.objects.filter(site=site).first()
    address = settings.NEWSLETTER_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL
    if outlet and "<" not in address:
        return f'"{outlet.name}" <{address}>'
    return address


def edition_start(edition_id: int) -> list[int]:
    """Starts sending an edition: one delivery row per confirmed subscriber of its list
    (made once, whatever runs this again), then returns the ids still to send."""
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(pk=edition_id).first()
        if edition is None or edition.status in (EditionStatus.SENT, EditionStatus.CANCELLED):
            return []
        if edition.status != EditionStatus.SENDING:
            edition.status = EditionStatus.SENDING
            edition.started_at = now
            edition.save(update_fields=["status", "started_at"])
        subscribers = Subscriber.objects.filter(
            status=SubscriberStatus.CONFIRMED, newsletters=edition.newsletter
        ).values_list("pk", flat=True)
        Delivery.objects.bulk_create(
            [Delivery(edition=edition, subscriber_id=pk) for pk in subscribers],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return list(
        Delivery.objects.filter(edition_id=edition_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim(delivery_id: int, now) -> bool:
    """pending → sending, by one worker only (a conditional UPDATE: the row's own lock)."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _retry_later(delivery: Delivery, error: str) -> None:
    attempts = delivery.attempts
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, error=error[:300]
        )
        logger.warning("Newsletter delivery %s failed for good: %s", delivery.pk, error)
        return
    delay = min(
        settings.NEWSLETTER_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
        settings.NEWSLETTER_RETRY_MAX_SECONDS,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
        error=error[:300],
    )
    logger.info("Newsletter delivery %s retried in %ss: %s", delivery.pk, delay, error)


def _hard_bounce(delivery: Delivery, code: int, reason: str) -> None:
    text = f"{code} {reason}"[:300]
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.BOUNCED, error=text)
    Subscriber.objects.filter(pk=delivery.subscriber_id).update(
        status=SubscriberStatus.BOUNCED, bounce_count=F("bounce_count") + 1, last_bounce=text
    )
    # Nothing more goes to an address that does not exist.
    Delivery.objects.filter(
        subscriber_id=delivery.subscriber_id, status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SKIPPED, error="Địa chỉ bị trả lại")
    logger.warning("Newsletter hard bounce for subscriber %s: %s", delivery.subscriber_id, text)


def _refusal(exc: smtplib.SMTPRecipientsRefused) -> tuple[int, str]:
    code, reason = next(iter(exc.recipients.values()))
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return code, reason


def batch_send(delivery_ids: list[int]) -> dict:
    """Sends the copies of a batch over one SMTP connection. Returns counts by outcome."""
    done = {"sent": 0, "bounced": 0, "retry": 0, "skipped": 0}
    connection = None
    editions = set()
    prepared: dict = {}  # the stories' text and images, made once per edition and kind
    try:
        for delivery_id in delivery_ids:
            now = timezone.now()
            if not _claim(delivery_id, now):
                done["skipped"] += 1
                continue
            delivery = Delivery.objects.select_related(
                "edition__newsletter__site", "subscriber__site", "subscriber__user"
            ).get(pk=delivery_id)
            editions.add(delivery.edition_id)
            subscriber = delivery.subscriber
            if subscriber.status != SubscriberStatus.CONFIRMED or delivery.edition.status not in (
                EditionStatus.SENDING,
            ):
                Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.SKIPPED)
                done["skipped"] += 1
                continue
            entitled = is_subscriber_edition(subscriber)
            subject, text, html, headers = render_copy(
                delivery.edition,
                subscriber,
                delivery_id=delivery_id,
                entitled=entitled,
                prepared=prepared,
            )
            message = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=_from_email(delivery.edition.newsletter.site),
                to=[subscriber.email],
                headers=headers,
            )
            message.attach_alternative(html, "text/html")
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = _refusal(exc)
                if 500 <= code < 600:
                    _hard_bounce(delivery, code, reason)
                    done["bounced"] += 1
                else:
                    _retry_later(delivery, f"{code} {reason}")
                    done["retry"] += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # The server or the link failed: this copy is retried later with backoff,
                # and the rest of the batch stays pending for the sweep.
                _retry_later(delivery, f"{type(exc).__name__}: {exc}")
                done["retry"] += 1
                _close(connection)
                connection = None
                break
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                subscriber_edition=entitled,
                error="",
            )
            done["sent"] += 1
    finally:
        _close(connection)
        for edition_id in editions:
            edition_finish_if_done(edition_id)
    return done


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a dead connection is closed already
            logger.debug("SMTP close failed", exc_info=True)


def edition_finish_if_done(edition_id: int) -> bool:
    left = Delivery.objects.filter(
        edition_id=edition_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()
    if left:
        return False
    return bool(
        Edition.objects.filter(pk=edition_id, status=EditionStatus.SENDING).update(
            status=EditionStatus.SENT, sent_at=timezone.now()
        )
    )


def batches(ids: list[int]) -> list[list[int]]:
    size = settings.NEWSLETTER_BATCH_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def sweep(*, now=None) -> dict:
    """Beat, every minute: builds today's editions when due, starts scheduled editions,
    gives up on copies whose worker died mid-send (never resent), and returns the ids of
    copies due again (retries, and batches whose task was lost)."""
    now = now or timezone.now()
    built = editions_build_due(now=now)
    due_editions = list(
        Edition.objects.filter(status=EditionStatus.SCHEDULED, scheduled_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    stale = now - datetime.timedelta(minutes=settings.NEWSLETTER_STALE_MINUTES)
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.FAILED,
        error="Tiến trình gửi dừng giữa chừng; không gửi lại để tránh gửi trùng",
    )
    grace = now - datetime.timedelta(minutes=2)
    retry_ids = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, edition__status=EditionStatus.SENDING
        )
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, edition__started_at__lt=grace)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    for edition_id in Edition.objects.filter(status=EditionStatus.SENDING).values_list(
        "pk", flat=True
    ):
        edition_finish_if_done(edition_id)
    return {"built": built, "editions": due_editions, "retry": retry_ids}


# --- Opens and clicks -------------------------------------------------------------------


def _read(token: str, salt: str) -> dict | None:
    try:
        data = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _record_event(kind: str, *, site, page, request, user) -> None:
    """Into analytics, as the beacon's events are: no IP or user agent is stored."""
    from analytics import collect, services
    from config.middleware import client_ip

    info = collect.page_info(page.pk, site.pk)
    if info is None:
        info = collect.PageInfo(
            site_id=site.pk, hostname=site.hostname, section_id=None, story_format=""
        )
    event = collect.build_event(
        payload={"kind": kind, "page_id": page.pk, "referrer": "", "seconds": 0, "media": ""},
        info=info,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        user=user,
        channel="email",
    )
    services.event_accept(event=event)


def record_open(*, token: str, request) -> bool:
    data = _read(token, OPEN_SALT)
    if data is None:
        return False
    delivery = (
        Delivery.objects.select_related("edition__newsletter__site", "subscriber__user")
        .filter(pk=data.get("d"))
        .first()
    )
    if delivery is None:
        return False
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(opens=F("opens") + 1)
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    newsletter = delivery.edition.newsletter
    page = newsletter.section or newsletter.site.root_page
    _record_event(
        "newsletter_open",
        site=newsletter.site,
        page=page,
        request=request,
        user=delivery.subscriber.user,
    )
    return True


def record_click(*, token: str, request) -> str | None:
    """The address a tracked link leads to, or None for a bad token. Only pages of our
    own sites: the token names a page, never a URL, so it cannot be an open redirect."""
    data = _read(token, CLICK_SALT)
    if data is None:
        return None
    delivery = (
        Delivery.objects.select_related("edition__newsletter__site", "subscriber__user")
        .filter(pk=data.get("d"))
        .first()
    )
    if delivery is None:
        return None
    site = delivery.edition.newsletter.site
    page = Page.objects.live().filter(pk=data.get("p")).first()
    if page is None:
        return site_base_url(site) + "/"
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(clicks=F("clicks") + 1)
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    _record_event(
        "newsletter_click", site=site, page=page, request=request, user=delivery.subscriber.user
    )
    return page.get_full_url() or site_base_url(site) + "/"
