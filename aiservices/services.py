"""How the project's apps reach outside AI providers (docs/ai.md).

    from aiservices import services as ai

    for account in ai.accounts(agency, ai.Capability.TTS):     # enabled, by priority
        with ai.track(agency, account.provider, ai.Capability.TTS, subject=f"trang {page.pk}") as call:
            audio = my_adapter(account).synthesise(text)        # may raise ai.ProviderError
            call.units = len(text)

`track` writes one CallLog row and adds to the month's UsageMonth whether the call
succeeds or fails (the exception goes on to the caller). `may_send(agency, paid=...)` says
whether a text may leave for an outside provider at all: paid text only when the agency's
policy allows it."""

import contextlib
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config import outbound
from distribution.adapters.base import DeliveryError, PermanentError, TransientError, http_error
from distribution.adapters.base import request as _request

from .models import (
    ACCOUNT_CAPABILITIES,
    AIPolicy,
    CallLog,
    Capability,
    Provider,
    ProviderAccount,
    UsageMonth,
)

logger = logging.getLogger(__name__)

# A provider refused or failed; TransientProviderError is worth retrying later.
ProviderError = DeliveryError
TransientProviderError = TransientError
PermanentProviderError = PermanentError

__all__ = [
    "Capability",
    "Provider",
    "ProviderError",
    "TransientProviderError",
    "PermanentProviderError",
    "NotConfigured",
    "accounts",
    "policy",
    "may_send",
    "status",
    "track",
    "http",
]

AI_HTTP_TIMEOUT = 60.0


class NotConfigured(Exception):
    """The agency has no enabled account for the capability (and no offline fallback)."""


def accounts(agency, capability: str) -> list[ProviderAccount]:
    """The agency's enabled accounts for `capability`, in the order they are to be tried."""
    return list(
        ProviderAccount.objects.filter(agency=agency, capability=capability, enabled=True).order_by(
            "priority", "pk"
        )
    )


def policy(agency) -> AIPolicy:
    """The agency's policy; the defaults (nothing paid leaves, no paid audio) when unset."""
    found = AIPolicy.objects.filter(agency=agency).first()
    return found or AIPolicy(agency=agency)


def may_send(agency, *, paid: bool) -> bool:
    """Whether a text may go to an OUTSIDE provider: free text always, paid text only with
    the agency's consent. Offline providers never send anything out."""
    return not paid or policy(agency).send_paid_text


def status(agency) -> dict[str, list[str]]:
    """capability → the labels of its enabled accounts ([] = "Chưa cấu hình"); the
    suggestions (Capability.ASSIST) run on our machines and have no accounts."""
    found = {c.value: [] for c in ACCOUNT_CAPABILITIES}
    for account in ProviderAccount.objects.filter(agency=agency, enabled=True).order_by(
        "priority", "pk"
    ):
        found[account.capability].append(account.get_provider_display())
    return found


@dataclass
class Call:
    units: int = 0
    started: float = field(default_factory=time.monotonic)


def _month(now=None):
    now = timezone.localtime(now or timezone.now())
    return now.date().replace(day=1)


def record(
    agency, provider, capability, *, ok, units=0, duration_ms=0, subject="", error="", user=None
):
    """One CallLog row and the month's usage (a savepoint: a row that cannot be written is
    logged and never turns the provider's answer into a failure)."""
    try:
        _record(
            agency,
            provider,
            capability,
            ok=ok,
            units=units,
            duration_ms=duration_ms,
            subject=subject,
            error=error,
            user=user,
        )
    except Exception:
        logger.exception(
            "AI call could not be recorded: agency=%s provider=%s", agency.pk, provider
        )


def _record(agency, provider, capability, *, ok, units, duration_ms, subject, error, user):
    with transaction.atomic():
        CallLog.objects.create(
            agency=agency,
            provider=provider,
            capability=capability,
            ok=ok,
            units=max(0, int(units)),
            duration_ms=max(0, int(duration_ms)),
            subject=subject[:200],
            error=error[:2000],
            user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
        usage, _ = UsageMonth.objects.get_or_create(
            agency=agency, provider=provider, capability=capability, month=_month()
        )
        UsageMonth.objects.filter(pk=usage.pk).update(
            calls=F("calls") + 1,
            failures=F("failures") + (0 if ok else 1),
            units=F("units") + max(0, int(units)),
        )


@contextlib.contextmanager
def track(agency, provider: str, capability: str, *, subject: str = "", user=None):
    """Times the block and records it: ok when it ends normally, a failure (with the
    exception's message) when it raises; the exception is not swallowed."""
    call = Call()
    try:
        yield call
    except Exception as exc:
        elapsed = (time.monotonic() - call.started) * 1000
        logger.warning(
            "AI call failed: agency=%s provider=%s capability=%s subject=%s: %s",
            agency.pk,
            provider,
            capability,
            subject,
            exc,
        )
        record(
            agency,
            provider,
            capability,
            ok=False,
            units=call.units,
            duration_ms=elapsed,
            subject=subject,
            error=f"{exc.__class__.__name__}: {exc}",
            user=user,
        )
        raise
    elapsed = (time.monotonic() - call.started) * 1000
    record(
        agency,
        provider,
        capability,
        ok=True,
        units=call.units,
        duration_ms=elapsed,
        subject=subject,
        user=user,
    )


REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3


def check_url(url: str, *, what: str) -> None:
    """PermanentProviderError unless the server may call `url` (https on
    AI_ALLOWED_HOSTS; config/outbound.py)."""
    problem = outbound.url_problem(
        url, allowed=settings.AI_ALLOWED_HOSTS, allow_loopback_http=settings.AI_ALLOW_LOOPBACK_HTTP
    )
    if problem:
        host = urlsplit(url).hostname if isinstance(url, str) else None
        raise PermanentProviderError(
            f"{what}: address refused ({problem}: host {host!r} is not https on AI_ALLOWED_HOSTS)"
        )


def fetch(method: str, url: str, *, what: str, timeout: float = AI_HTTP_TIMEOUT, **kwargs):
    """One HTTP call to a provider whatever its status, the address checked first; a GET
    follows up to MAX_REDIRECTS redirects, each address checked (a POST's redirect is
    answered as it is). Network faults raise TransientProviderError."""
    check_url(url, what=what)
    response = _request(method, url, what=what, timeout=timeout, allow_redirects=False, **kwargs)
    for _ in range(MAX_REDIRECTS):
        location = response.headers.get("Location")
        if method != "GET" or response.status_code not in REDIRECTS or not location:
            return response
        url = urljoin(url, location)
        check_url(url, what=what)
        response = _request(
            method, url, what=what, timeout=timeout, allow_redirects=False, **kwargs
        )
    if response.status_code in REDIRECTS:
        raise PermanentProviderError(f"{what}: more than {MAX_REDIRECTS} redirects")
    return response


def http(method: str, url: str, *, what: str, timeout: float = AI_HTTP_TIMEOUT, **kwargs):
    """One HTTP call to a provider (as `fetch`): network faults, 5xx and 408/425/429 raise
    TransientProviderError, other non-2xx PermanentProviderError; the response otherwise."""
    response = fetch(method, url, what=what, timeout=timeout, **kwargs)
    if not 200 <= response.status_code < 300:
        raise http_error(response, what)
    return response


MANAGER_PERMISSIONS = [
    "add_provideraccount",
    "change_provideraccount",
    "delete_provideraccount",
    "view_provideraccount",
    "add_aipolicy",
    "change_aipolicy",
    "view_aipolicy",
    "view_usagemonth",
    "view_calllog",
]


def grant_permissions(*, groups) -> None:
    """The agency's editor-in-chief and admin groups manage its AI accounts and policy and
    read its usage and call log."""
    from django.contrib.auth.models import Permission

    from newsroom.models import Role

    permissions = list(
        Permission.objects.filter(
            content_type__app_label="aiservices", codename__in=MANAGER_PERMISSIONS
        )
    )
    for role in (Role.EDITOR_IN_CHIEF, Role.ADMIN):
        if role in groups:
            groups[role].permissions.add(*permissions)
