"""A reader's personal data (Decree 13/2023/NĐ-CP): what the platform holds about them,
as one readable JSON document, and the deletion of their account.

Both work from the user model's relations, not from a hand-kept list: every table with a
foreign key to the account is exported, and deleting the account follows each key's
`on_delete` (profile, meter, gift links, seats: deleted; orders and subscriptions: kept,
the link to the person set to NULL, so the revenue ledger and its orders keep every
amount and reference). A table that PROTECTs the account (staff work: bylines, refunds
asked for, training records) stops the deletion, and staff accounts are refused anyway."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from staffsecurity.services import is_staff_account as staff_account
from staffsecurity.services import sessions_end

from .models import LedgerEntry, Order, Subscription, SubscriptionStatus

logger = logging.getLogger(__name__)

# Never written to the download, whatever table they are in: secrets of the account
# (a TOTP key, an API token) would make the file itself a way into it.
SECRET_WORDS = ("password", "secret", "key", "token")
HIDDEN = "(ẩn vì lý do bảo mật)"


class DeletionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_staff_account(user) -> bool:
    """Newsroom and administration accounts (and anyone in a group): their records belong
    to the agency (bylines, workflow, refunds), so they are closed by an administrator,
    never by themselves."""
    return staff_account(user) or user.groups.exists()


def user_relations():
    """(model, field) for every foreign key, one-to-one or many-to-many to the user
    model, hidden ones (related_name="+") included."""
    User = get_user_model()
    found = []
    for rel in User._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete:
            found.append((rel.related_model, rel.field))
    return found


def _value(obj, field):
    if any(word in field.name for word in SECRET_WORDS):
        return HIDDEN if getattr(obj, field.attname) not in (None, "") else None
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.attname)
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _row(obj, skip=()):
    return {
        str(f.verbose_name): _value(obj, f) for f in obj._meta.concrete_fields if f.name not in skip
    }


def _commune_name(code):
    if not code:
        return None
    from .forms import commune_choices

    return dict(commune_choices()).get(code)


def reader_data(user) -> dict:
    """Everything held about `user`, keyed by what a person reads (Vietnamese labels)."""
    from axes.models import AccessFailureLog, AccessLog

    sections = []
    for model, field in user_relations():
        if field.many_to_many:
            rows = model._base_manager.filter(**{field.name: user})
        else:
            rows = model._base_manager.filter(**{field.name: user}).order_by("pk")
        records = [_row(obj, skip={field.name}) for obj in rows]
        if records:
            sections.append(
                {
                    "loại dữ liệu": str(model._meta.verbose_name_plural),
                    "bảng": model._meta.label,
                    "bản ghi": records,
                }
            )
    profile = getattr(user, "reader_profile", None)
    ledger = LedgerEntry.objects.filter(order__in=Order.objects.filter(user=user)).order_by("pk")
    if ledger:
        sections.append(
            {
                "loại dữ liệu": "bút toán doanh thu của các đơn của bạn",
                "bảng": LedgerEntry._meta.label,
                "bản ghi": [_row(e) for e in ledger],
            }
        )
    # django-axes keeps log-ins and failures by username (no foreign key).
    for model, label in ((AccessLog, "nhật ký đăng nhập"), (AccessFailureLog, "lần đăng nhập sai")):
        entries = model.objects.filter(username__iexact=user.get_username()).order_by("pk")
        if entries:
            sections.append(
                {
                    "loại dữ liệu": label,
                    "bảng": model._meta.label,
                    "bản ghi": [
                        {
                            "lúc": _value(e, model._meta.get_field("attempt_time")),
                            "địa chỉ IP": e.ip_address,
                            "trình duyệt": e.user_agent,
                            "trang": e.path_info,
                        }
                        for e in entries
                    ],
                }
            )
    return {
        "tài liệu": "Dữ liệu cá nhân của độc giả (Nghị định 13/2023/NĐ-CP)",
        "xuất lúc": timezone.localtime().isoformat(),
        "tài khoản": _row(user, skip={"password"}),
        "nhóm": [g.name for g in user.groups.all()],
        "xã/phường cư trú": _commune_name(profile.commune_code) if profile else None,
        "dữ liệu": sections,
    }


def reader_delete(user) -> str:
    """Deletes a reader's account; returns the address to confirm to. Orders,
    subscriptions and the ledger stay (without the person). Raises DeletionRefused for
    staff, or when a record that must not disappear still points at the account."""
    if is_staff_account(user):
        raise DeletionRefused(
            "Tài khoản cán bộ, quản trị không tự xóa được ở đây: "
            "hãy liên hệ quản trị viên của cơ quan."
        )
    email, pk = user.email, user.pk
    try:
        with transaction.atomic():
            # Every device's stored session, found through the sessions recorded at log-in
            # (a session of a deleted account is dead anyway: its user is gone).
            ended = sessions_end(user)
            # "Thuê bao còn hạn sẽ chấm dứt cùng tài khoản" (the deletion page): a running
            # subscription is cancelled now, kept with its dates and payments.
            cancelled = Subscription.objects.filter(
                user_id=pk, status=SubscriptionStatus.ACTIVE
            ).update(status=SubscriptionStatus.CANCELLED, cancelled_at=timezone.now())
            get_user_model().objects.filter(pk=pk).first().delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        kept = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        names = sorted({str(o._meta.verbose_name) for o in kept})
        logger.warning("Reader %s deletion refused, protected rows: %s", pk, names)
        raise DeletionRefused(
            "Chưa xóa được tài khoản vì còn dữ liệu phải giữ lại ("
            + ", ".join(names)
            + "). Hãy liên hệ ban biên tập."
        ) from exc
    logger.info(
        "Reader account %s deleted at their request; %s sessions ended, %s subscriptions cancelled",
        pk,
        ended,
        cancelled,
    )
    return email
