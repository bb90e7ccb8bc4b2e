"""Writes of distribution: planning deliveries when a story is published, updated or
taken down; processing one delivery; retries; platform tokens; partner keys."""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from newsroom.models import StoryPage
from newsroom.services import outlet_for_page

from .adapters import PermanentError, TransientError, adapter_for
from .content import public_story
from .models import (
    Delivery,
    DeliveryAction,
    DeliveryState,
    PartnerKey,
    Platform,
    PlatformCopy,
    hash_key,
)

logger = logging.getLogger(__name__)


def _queue(delivery_id: int, countdown: float = 0) -> None:
    """Queues the delivery after the commit. A retry due later than
    DISTRIBUTION_QUEUE_AHEAD_SECONDS is not queued now: the sweeper queues it when due, so
    no worker holds a message for an hour (RabbitMQ would close the channel of a consumer
    sitting on an unacknowledged message for longer than its consumer_timeout)."""
    from .tasks import deliver

    if countdown > settings.DISTRIBUTION_QUEUE_AHEAD_SECONDS:
        return

    def send():
        try:
            deliver.apply_async((delivery_id,), countdown=max(0, countdown))
        except Exception:  # broker down: the row stays due and the sweeper sends it later
            logger.exception("Could not queue delivery %s; the sweeper will retry", delivery_id)

    transaction.on_commit(send)


def story_agency(story):
    outlet = outlet_for_page(story)
    return outlet.agency if outlet else None


@transaction.atomic
def story_deliveries_create(
    *, story_id: int, action: str, revision_id: int | None = None, user=None
) -> list[Delivery]:
    """One delivery per platform for a story's publication (or update) or takedown.

    Publish goes to every enabled platform of the story's agency (as an update where the
    platform already holds the story); a takedown goes to every platform that holds it.
    Open deliveries that the new one supersedes are cancelled. Calling this twice for the
    same revision returns the same rows (idempotency key)."""
    story = StoryPage.objects.filter(pk=story_id).first()
    if story is None:
        logger.warning("Story %s no longer exists; nothing to deliver", story_id)
        return []
    held = dict(PlatformCopy.objects.filter(story=story).values_list("platform_id", "remote_id"))
    if action == DeliveryAction.REMOVE:
        # A takedown stops every publish still waiting, held or not.
        Delivery.objects.filter(
            story=story,
            state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
            action__in=[DeliveryAction.PUBLISH, DeliveryAction.UPDATE],
        ).update(
            state=DeliveryState.CANCELLED,
            last_error="Tin bài đã bị gỡ.",
            updated_at=timezone.now(),
        )
        platforms = list(Platform.objects.filter(pk__in=held))
        marker = revision_id or story.latest_revision_id or 0
        marker = f"{marker}-{Delivery.objects.filter(story=story, action=action).count()}"
    else:
        agency = story_agency(story)
        if agency is None:
            return []
        platforms = list(Platform.objects.filter(agency=agency, enabled=True))
        marker = revision_id or story.live_revision_id or 0
    created = []
    for platform in platforms:
        kind = action
        if action != DeliveryAction.REMOVE:
            kind = DeliveryAction.UPDATE if platform.pk in held else DeliveryAction.PUBLISH
        key = f"{story.pk}:{platform.pk}:{'remove' if kind == 'remove' else 'put'}:{marker}"
        delivery, is_new = Delivery.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "story": story,
                "platform": platform,
                "action": kind,
                "revision_id": revision_id,
                "requested_by": user,
            },
        )
        if is_new:
            # An older publish/update still waiting would only resend stale content, and
            # after a takedown it must not reach the platform at all.
            Delivery.objects.filter(
                story=story,
                platform=platform,
                state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
                action__in=[DeliveryAction.PUBLISH, DeliveryAction.UPDATE],
            ).exclude(pk=delivery.pk).update(
                state=DeliveryState.CANCELLED,
                last_error="Thay bằng lượt phân phối mới hơn.",
                updated_at=timezone.now(),
            )
            _queue(delivery.pk)
        created.append(delivery)
    return created


def backoff_seconds(attempts: int) -> float:
    base = settings.DISTRIBUTION_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    capped = min(base, settings.DISTRIBUTION_RETRY_MAX_SECONDS)
    # Jitter spreads retries of many deliveries that failed together (a platform outage).
    return capped * random.uniform(0.8, 1.2)


def _finish(delivery: Delivery, **fields) -> None:
    fields["updated_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _failed(delivery: Delivery, reason: str) -> str:
    _finish(
        delivery,
        state=DeliveryState.FAILED,
        last_error=reason[:2000],
        progress=delivery.progress,
        next_try_at=None,
    )
    return DeliveryState.FAILED


def _retry_later(delivery: Delivery, delay: float, **fields) -> str:
    _finish(
        delivery,
        state=DeliveryState.RETRYING,
        next_try_at=timezone.now() + timedelta(seconds=delay),
        **fields,
    )
    _queue(delivery.pk, delay)
    return DeliveryState.RETRYING


def delivery_process(*, delivery_id: int) -> str | None:
    """Runs one due delivery once. Returns its new state, or None when it was not due (the
    claim makes a rerun of the task, or two workers, harmless)."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]
        )
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now + timedelta(seconds=1)))
        .update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("platform").get(pk=delivery_id)
    busy = (
        Delivery.objects.filter(
            story_id=delivery.story_id,
            platform_id=delivery.platform_id,
            state=DeliveryState.SENDING,
        )
        .exclude(pk=delivery.pk)
        .exists()
    )
    if busy:
        # One call at a time per story and platform, or two creates could race.
        return _retry_later(delivery, 2 + random.random() * 3, attempts=F("attempts") - 1)
    try:
        remote_id = _run(delivery)
    except PermanentError as exc:
        logger.warning("Delivery %s failed for good: %s", delivery.pk, exc)
        return _failed(delivery, str(exc))
    except Exception as exc:
        if isinstance(exc, TransientError):
            reason = str(exc)
        else:
            logger.exception("Delivery %s crashed", delivery.pk)
            reason = f"internal error: {exc!r}"
        attempts = delivery.attempts
        if attempts >= settings.DISTRIBUTION_MAX_ATTEMPTS:
            return _failed(delivery, f"{reason} (sau {attempts} lần thử)")
        delay = max(backoff_seconds(attempts), getattr(exc, "retry_after", 0) or 0)
        return _retry_later(delivery, delay, last_error=reason[:2000], progress=delivery.progress)
    if remote_id is None:
        return DeliveryState.CANCELLED
    return DeliveryState.DELIVERED


def _run(delivery: Delivery) -> str | None:
    story = StoryPage.objects.filter(pk=delivery.story_id).first()
    platform = delivery.platform
    copy = PlatformCopy.objects.filter(story_id=delivery.story_id, platform=platform).first()
    if delivery.action == DeliveryAction.REMOVE:
        if copy is None:
            in_flight = Delivery.objects.filter(
                story_id=delivery.story_id,
                platform=platform,
                state=DeliveryState.SENDING,
                action__in=[DeliveryAction.PUBLISH, DeliveryAction.UPDATE],
            ).exists()
            if in_flight:
                raise TransientError("A publish is still in flight; removing after it")
            _delivered(delivery, remote_id="")
            return ""
        adapter_for(platform).remove(
            story_pk=delivery.story_id,
            remote_id=copy.remote_id,
            progress=delivery.progress,
            key=delivery.idempotency_key,
        )
        with transaction.atomic():
            copy.delete()
            _delivered(delivery, remote_id=copy.remote_id)
        return copy.remote_id
    if story is None or not story.live:
        _finish(
            delivery,
            state=DeliveryState.CANCELLED,
            last_error="Tin bài không còn được đăng.",
            next_try_at=None,
        )
        return None
    view = public_story(story)
    remote_id = adapter_for(platform).publish(
        view,
        remote_id=copy.remote_id if copy else "",
        progress=delivery.progress,
        key=delivery.idempotency_key,
    )
    with transaction.atomic():
        now = timezone.now()
        PlatformCopy.objects.update_or_create(
            story_id=delivery.story_id,
            platform=platform,
            defaults={"remote_id": remote_id, "updated_at": now},
        )
        _delivered(delivery, remote_id=remote_id)
    return remote_id


def _delivered(delivery: Delivery, *, remote_id: str) -> None:
    _finish(
        delivery,
        state=DeliveryState.DELIVERED,
        remote_id=remote_id,
        delivered_at=timezone.now(),
        last_error="",
        next_try_at=None,
        progress=delivery.progress,
    )


def delivery_retry(*, delivery: Delivery, user) -> Delivery:
    """Gửi lại: staff resend a failed (or waiting) delivery now. The same row is reused,
    so a double click never makes a second delivery."""
    from .selectors import user_can_manage_agency

    if not user_can_manage_agency(user, delivery.platform.agency_id):
        raise PermissionDenied("Bạn không có quyền gửi lại lượt phân phối này.")
    if delivery.state not in (DeliveryState.FAILED, DeliveryState.RETRYING):
        raise ValidationError("Chỉ gửi lại được lượt đã thất bại hoặc đang chờ thử lại.")
    updated = Delivery.objects.filter(
        pk=delivery.pk, state__in=[DeliveryState.FAILED, DeliveryState.RETRYING]
    ).update(
        state=DeliveryState.RETRYING,
        next_try_at=timezone.now(),
        attempts=0,
        requested_by=user,
        updated_at=timezone.now(),
    )
    if updated:
        _queue(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def deliveries_sweep() -> int:
    """Re-queues deliveries whose retry is due (a lost broker message, a retry too far
    ahead to queue) and frees those stuck in `sending` by a worker that died: its message
    comes back from the broker but finds the row claimed, and the retry after the lease
    sends with the same idempotency key (the platform keeps one copy)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.DISTRIBUTION_SENDING_LEASE_SECONDS)
    # A new delivery's own message is normally on its way: only after this grace is it
    # taken for lost (published while the broker was away).
    grace = timedelta(seconds=settings.DISTRIBUTION_PENDING_GRACE_SECONDS)
    Delivery.objects.filter(state=DeliveryState.SENDING, updated_at__lt=now - lease).update(
        state=DeliveryState.RETRYING, next_try_at=now, last_error="Worker stopped mid-send"
    )
    due = list(
        Delivery.objects.filter(
            Q(state=DeliveryState.PENDING, created_at__lt=now - grace)
            | Q(state=DeliveryState.RETRYING, next_try_at__lte=now)
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        _queue(pk)
    return len(due)


def zalo_refresh_due(platform: Platform, now=None) -> bool:
    """Refresh ahead of expiry: when the access token ends within the margin, or its end is
    unknown (tokens pasted into the admin by hand)."""
    now = now or timezone.now()
    margin = timedelta(seconds=settings.DISTRIBUTION_ZALO_REFRESH_MARGIN_SECONDS)
    return platform.access_expires_at is None or platform.access_expires_at <= now + margin


def platform_refresh_zalo_token(*, platform_id: int, stale: str | None = None) -> Platform:
    """Trades the single-use refresh token for a new pair under the platform's row lock,
    and saves the pair in the transaction that holds the lock while the old one is spent,
    so the same OA is never refreshed twice at once. `stale`: the access token a delivery
    saw refused (-216); a second worker that saw the same one finds the pair already
    renewed and uses it. Without `stale` (beat), a pair renewed meanwhile is kept.
    A failure is recorded on the platform and the agency's administrators are told."""
    from .adapters.zalo import REFRESH_LIFETIME_DAYS, refresh_tokens

    try:
        with transaction.atomic():
            platform = Platform.objects.select_for_update().get(pk=platform_id)
            credentials = platform.credentials
            if stale is not None and credentials.get("access_token") != stale:
                return platform
            if stale is None and not zalo_refresh_due(platform):
                return platform
            renewed = refresh_tokens(platform, credentials)
            now = timezone.now()
            platform.access_expires_at = now + timedelta(seconds=renewed.pop("expires_in"))
            platform.refresh_expires_at = now + timedelta(days=REFRESH_LIFETIME_DAYS)
            platform.set_credentials(renewed)
            platform.token_problem = ""
            platform.token_warned_at = None
            platform.save(
                update_fields=[
                    "credentials_encrypted",
                    "access_expires_at",
                    "refresh_expires_at",
                    "token_problem",
                    "token_warned_at",
                ]
            )
    except (PermanentError, TransientError) as exc:
        _zalo_token_trouble(platform_id, exc)
        raise
    logger.info("Zalo token pair refreshed for platform %s", platform_id)
    return platform


def _zalo_token_trouble(platform_id: int, exc: Exception) -> None:
    """Records a failed refresh; the administrators hear of it once per distinct problem
    (a passing network fault only once the access token has run out)."""
    platform = Platform.objects.select_related("agency").get(pk=platform_id)
    expired = platform.access_expires_at is not None and platform.access_expires_at <= (
        timezone.now()
    )
    if isinstance(exc, PermanentError):
        problem = (
            f"Làm mới token Zalo bị từ chối ({exc}). Cần cấp quyền lại cho ứng dụng "
            "(xem docs/distribution.md, mục Cấp quyền lại Zalo OA)."
        )
    elif expired:
        problem = f"Không làm mới được token Zalo và access token đã hết hạn ({exc})."
    else:
        logger.warning("Zalo token refresh for platform %s failed for now: %s", platform_id, exc)
        return
    logger.error("Zalo token refresh for platform %s failed: %s", platform_id, exc)
    if platform.token_problem == problem:
        return
    Platform.objects.filter(pk=platform_id).update(token_problem=problem)
    notify_agency_admins(
        agency=platform.agency,
        subject=f"[Hội Tụ] Zalo OA “{platform.name}”: cần xử lý token",
        body=problem,
    )


def notify_agency_admins(*, agency, subject: str, body: str) -> int:
    """E-mails the agency's administrators (superusers if it has none)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from newsroom.models import Role

    User = get_user_model()
    admins = User.objects.filter(
        is_active=True,
        groups__agency_role__agency=agency,
        groups__agency_role__role=Role.ADMIN,
    ).exclude(email="")
    if not admins.exists():
        admins = User.objects.filter(is_active=True, is_superuser=True).exclude(email="")
    recipients = sorted(set(admins.values_list("email", flat=True)))
    if recipients:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    return len(recipients)


def zalo_tokens_maintain(*, now=None) -> dict:
    """Beat: refreshes every enabled Zalo platform whose access token is about to end, and
    warns the administrators once when a refresh token is close to its end (refreshes
    have been failing for weeks)."""
    now = now or timezone.now()
    refreshed = failed = warned = 0
    platforms = Platform.objects.filter(kind="zalo_oa", enabled=True).select_related("agency")
    for platform in platforms:
        if zalo_refresh_due(platform, now):
            try:
                platform = platform_refresh_zalo_token(platform_id=platform.pk)
                refreshed += 1
            except (PermanentError, TransientError):
                failed += 1
                platform.refresh_from_db()
        warn_at = now + timedelta(days=settings.DISTRIBUTION_ZALO_REFRESH_WARN_DAYS)
        if (
            platform.refresh_expires_at
            and platform.refresh_expires_at <= warn_at
            and platform.token_warned_at is None
        ):
            Platform.objects.filter(pk=platform.pk).update(token_warned_at=now)
            when = timezone.localtime(platform.refresh_expires_at).strftime("%d/%m/%Y %H:%M")
            notify_agency_admins(
                agency=platform.agency,
                subject=f"[Hội Tụ] Zalo OA “{platform.name}”: refresh token sắp hết hạn",
                body=(
                    f"Refresh token của Zalo OA “{platform.name}” hết hạn lúc {when}. "
                    "Sau thời điểm đó Hội Tụ không đăng được bài lên Zalo cho tới khi cấp "
                    "quyền lại (xem docs/distribution.md, mục Cấp quyền lại Zalo OA)."
                ),
            )
            warned += 1
    return {"refreshed": refreshed, "failed": failed, "warned": warned}


def platform_set_credentials(*, platform: Platform, values: dict) -> Platform:
    """Merges non-empty new values into the stored (encrypted) credentials."""
    current = platform.credentials if platform.credentials_encrypted else {}
    if values.get("refresh_token") and values["refresh_token"] != current.get("refresh_token"):
        # A re-authorisation: a fresh pair whose ends are not known; beat refreshes it
        # at once and learns them, and the old trouble is over.
        platform.access_expires_at = platform.refresh_expires_at = None
        platform.token_problem = ""
        platform.token_warned_at = None
    current.update({k: v for k, v in values.items() if v})
    platform.set_credentials(current)
    return platform


def partner_key_create(*, name: str, raw_key: str | None = None) -> tuple[PartnerKey, str]:
    """Creates a partner API key; the raw key is returned once and only its hash kept."""
    raw = raw_key or PartnerKey.generate()
    key = PartnerKey.objects.create(name=name, prefix=raw[:10], key_hash=hash_key(raw))
    return key, raw


def story_websub_urls(story) -> list[str]:
    site = story.get_site()
    if site is None:
        return []
    root = site.root_url
    section = story.get_parent()
    return [f"{root}/rss/", f"{root}/atom/", f"{root}/{section.slug}/rss/"]


# What an agency's editor-in-chief and admin may do with its platforms and sharing policy.
MANAGER_PERMISSIONS = [
    "add_platform",
    "change_platform",
    "view_platform",
    "view_sharingpolicy",
    "change_sharingpolicy",
]


def distribution_grant_permissions(*, groups) -> None:
    """Receiver of `newsroom.events.agency_roles_ready`: the agency's editor-in-chief and
    admin groups manage its platforms and sharing policy."""
    from django.contrib.auth.models import Permission

    from newsroom.models import Role

    permissions = list(
        Permission.objects.filter(
            content_type__app_label="distribution", codename__in=MANAGER_PERMISSIONS
        )
    )
    for role in (Role.EDITOR_IN_CHIEF, Role.ADMIN):
        if role in groups:
            groups[role].permissions.add(*permissions)
