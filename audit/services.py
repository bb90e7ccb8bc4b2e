"""Writes one audit entry (database, append-only) and one JSON log line per staff action."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.models import Page

from newsroom.models import Agency
from newsroom.selectors import user_agencies

from . import context
from .models import AuditEntry

logger = logging.getLogger("hoitu.audit")


def agency_of(obj, user=None) -> Agency | None:
    if isinstance(obj, Agency):
        return obj
    if isinstance(obj, Page):
        from newsroom.services import outlet_for_page

        outlet = outlet_for_page(obj)
        return outlet.agency if outlet else None
    agency_id = getattr(obj, "agency_id", None)
    if agency_id:
        return Agency.objects.filter(pk=agency_id).first()
    if isinstance(obj, get_user_model()):
        user = obj  # a log-in, a group change: the account's own agency
    if user is not None and user.is_authenticated:
        agencies = list(user_agencies(user)[:2])
        if len(agencies) == 1:
            return agencies[0]
    return None


def record(
    action: str,
    *,
    label: str = "",
    request=None,
    user=None,
    actor_name: str = "",
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    agency=None,
    data: dict | None = None,
) -> AuditEntry:
    request = request or context.current_request()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if agency is None:
        agency = agency_of(obj, user)
    meta = request.META if request is not None else {}
    entry = AuditEntry(
        actor=user,
        actor_name=(actor_name or (user.get_username() if user else ""))[:150],
        action=action[:100],
        label=label[:200],
        object_type=object_type[:100],
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        agency=agency,
        ip_address=meta.get("REMOTE_ADDR") or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        path=(request.path if request is not None else "")[:300],
        data=data or {},
    )
    try:
        # A savepoint: an entry that cannot be written never undoes the staff action
        # (the story stays published); the failure and the event still reach the log.
        with transaction.atomic():
            entry.save()
    except Exception:
        logger.exception("Audit entry %s by %s could not be stored", action, entry.actor_name)
    logger.info(
        "%s by %s",
        entry.action,
        entry.actor_name or "-",
        extra={
            "audit": {
                "event": entry.action,
                "entry": entry.pk,
                "at": entry.created_at.isoformat(),
                "actor": entry.actor_name,
                "actor_id": entry.actor_id,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "object": entry.object_repr,
                "agency_id": entry.agency_id,
                "ip": entry.ip_address,
                "user_agent": entry.user_agent,
                "path": entry.path,
                "data": entry.data,
            }
        },
    )
    return entry
