"""Staff accounts: who counts as staff, mail to the administrators, ending a user's
sessions, disabling unused accounts."""

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import UserSession

logger = logging.getLogger(__name__)


def is_staff_account(user) -> bool:
    """Staff: anyone who can open the newsroom (Wagtail's admin) or Django's admin. The one
    test of "staff" for lockouts, sessions, two-factor login and the audit log."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")


def staff_accounts():
    """Active accounts that can open the newsroom, as `is_staff_account` says."""
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(is_staff=True)
            | Q(groups__permissions__in=access)
            | Q(user_permissions__in=access)
        )
        .distinct()
    )


def admin_recipients() -> list[str]:
    """The platform's administrators: settings.ADMINS and every active superuser."""
    emails = {email for _name, email in settings.ADMINS}
    emails |= set(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(emails)


def notify_admins(*, subject: str, body: str) -> int:
    recipients = admin_recipients()
    if recipients:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    else:
        logger.error("No administrator to alert (no ADMINS, no superuser with e-mail): %s", subject)
    return len(recipients)


def sessions_end(user, *, keep: str | None = None) -> int:
    """Deletes every stored session the user logged in with (but `keep`), whatever the
    session engine: a stolen cookie is worthless from here on."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.filter(session_key__in=keys).delete()
    return len(keys)


def session_track(user, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def inactive_staff(now=None):
    """Staff accounts unused for HOITU_STAFF_INACTIVE_DAYS: last login before the cut-off,
    or never logged in and created before it (a new colleague gets the same days to log
    in once). One superuser is always kept: the most recently seen one, so somebody can
    still enable the others."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.HOITU_STAFF_INACTIVE_DAYS)
    unused = staff_accounts().filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    superusers = get_user_model().objects.filter(is_active=True, is_superuser=True)
    if not superusers.exclude(pk__in=unused.values("pk")).exists():
        keeper = superusers.order_by("-last_login", "-date_joined").first()
        if keeper is not None:
            unused = unused.exclude(pk=keeper.pk)
    return unused


def inactive_staff_disable(*, now=None, dry_run: bool = False) -> list[str]:
    """Disables staff accounts unused for HOITU_STAFF_INACTIVE_DAYS, ends their sessions,
    logs each one and mails the administrators one list. Returns the usernames."""
    days = settings.HOITU_STAFF_INACTIVE_DAYS
    with transaction.atomic():
        users = list(inactive_staff(now).order_by("username"))
        if dry_run:
            return [u.username for u in users]
        for user in users:
            user.is_active = False
            user.save(update_fields=["is_active"])  # signals end its sessions
            logger.warning(
                "Disabled staff account %s (id %s): no login for %s days (last login %s)",
                user.username,
                user.pk,
                days,
                user.last_login.isoformat() if user.last_login else "never",
            )
    names = [u.username for u in users]
    if names:
        lines = "\n".join(
            f"- {u.username} ({u.get_full_name() or 'không tên'}), đăng nhập lần cuối: "
            + (timezone.localtime(u.last_login).strftime("%d/%m/%Y") if u.last_login else "chưa")
            for u in users
        )
        notify_admins(
            subject=f"[Hội Tụ] Đã khóa {len(names)} tài khoản tòa soạn không dùng {days} ngày",
            body=(
                f"Các tài khoản sau không đăng nhập {days} ngày nên đã bị khóa tự động:\n\n"
                f"{lines}\n\nMở lại một tài khoản: Cài đặt → Người dùng → sửa tài khoản → "
                "bật lại trạng thái hoạt động."
            ),
        )
    return names
