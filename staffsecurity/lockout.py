"""Login lockouts (django-axes) with a limit per lockout parameter set, a Vietnamese
lockout page and one alert to the administrators per lockout.

django-axes compares one number, the largest failure count over AXES_LOCKOUT_PARAMETERS,
with one AXES_FAILURE_LIMIT. The newsroom needs two limits: few failures for one account
from one address (guessing a password), more for one address across accounts (password
spraying, but a whole newsroom may sit behind one NAT address). HOITU_LOGIN_FAILURE_LIMITS
gives each parameter set its own limit; the handler reports each set's failures on the
AXES_FAILURE_LIMIT scale, so axes locks out as soon as any set reaches its own limit."""

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from .services import notify_admins

logger = logging.getLogger(__name__)

ACCOUNT, ADDRESS = "account", "address"


def _kind(parameters) -> str:
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    return ACCOUNT if "username" in names else ADDRESS


class LoginLockoutHandler(AxesDatabaseHandler):
    def failures_per_set(self, request, credentials=None) -> list[tuple[str, int, int]]:
        """(kind, failures within the cool-off, limit) for each lockout parameter set."""
        sets = get_lockout_parameters(request, credentials)
        limits = settings.HOITU_LOGIN_FAILURE_LIMITS
        if len(limits) != len(sets):
            raise ValueError(
                "HOITU_LOGIN_FAILURE_LIMITS needs one limit per AXES_LOCKOUT_PARAMETERS set"
            )
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return [(_kind(s), n, limit) for s, n, limit in zip(sets, counts, limits, strict=True)]

    def get_failures(self, request, credentials=None) -> int:
        # n * scale // limit reaches `scale` exactly when n reaches `limit`.
        scale = get_failure_limit(request, credentials)
        return max(
            (n * scale // limit for _kind, n, limit in self.failures_per_set(request, credentials)),
            default=0,
        )

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures from that address only: were
        the address's count cleared too, one valid account (any reader can sign up) would
        let a sprayer start again every few guesses."""
        sets = get_lockout_parameters(request, credentials)
        count = 0
        for parameters, attempts in zip(
            sets, self.filter_user_attempts(request, credentials), strict=True
        ):
            if _kind(parameters) == ACCOUNT:
                count += attempts.delete()[0]
        return count


def locked_kinds(request, credentials=None) -> list[str]:
    return [
        kind
        for kind, n, limit in LoginLockoutHandler().failures_per_set(request, credentials)
        if n >= limit
    ]


def retry_at(request):
    """Lockouts last AXES_COOLOFF_TIME from the last failure (this one)."""
    start = getattr(request, "axes_attempt_time", None) or timezone.now()
    return timezone.localtime(start + get_cool_off(request))


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets: Vietnamese, 429, when to try again, whom to call."""
    kinds = locked_kinds(request, credentials)
    context = {
        "by_address": ADDRESS in kinds,
        "retry_at": retry_at(request),
        "contact": settings.HOITU_LOGIN_HELP_CONTACT,
        "address": request.axes_ip_address,
    }
    admin = request.path.startswith("/admin/")
    template = "staffsecurity/lockout_admin.html" if admin else "staffsecurity/lockout.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(int(get_cool_off(request).total_seconds()))
    return response


def alert_lockout(sender, request, username, ip_address, **kwargs):
    """axes' user_locked_out fires on every refused attempt; the administrators hear once
    per lockout: the cache entry lives as long as the lockout and is renewed by each
    further attempt."""
    credentials = getattr(request, "axes_credentials", None)
    kinds = locked_kinds(request, credentials) or [ACCOUNT]
    ttl = int(get_cool_off(request).total_seconds())
    username = username or get_client_username(request, credentials) or ""
    for kind in kinds:
        key = f"staffsecurity:lockout:{kind}:{ip_address}" + (
            f":{username}" if kind == ACCOUNT else ""
        )
        if not cache.add(key, 1, ttl):
            cache.touch(key, ttl)
            continue
        until = retry_at(request)
        if kind == ADDRESS:
            limit = settings.HOITU_LOGIN_FAILURE_LIMITS[-1]
            logger.warning(
                "Login lockout of address %s: %s failed logins across accounts within %s "
                "(last tried: %r); locked until %s",
                ip_address,
                limit,
                get_cool_off(request),
                username,
                until.isoformat(),
            )
            what = f"địa chỉ {ip_address} (đăng nhập sai {limit} lần với nhiều tài khoản)"
        else:
            logger.warning(
                "Login lockout of account %r from address %s after repeated failures; "
                "locked until %s",
                username,
                ip_address,
                until.isoformat(),
            )
            what = f"tài khoản “{username}” từ địa chỉ {ip_address}"
        notify_admins(
            subject=f"[Hội Tụ] Khóa đăng nhập: {what}",
            body=(
                f"Hệ thống đã tạm khóa đăng nhập của {what} "
                f"đến {until:%H:%M ngày %d/%m/%Y}.\n"
                f"Trang đăng nhập: {request.path}\n\n"
                "Nếu đây là dò mật khẩu, hãy kiểm tra các tài khoản bị thử. Nếu là nhầm lẫn "
                "của đồng nghiệp, có thể mở khóa sớm bằng lệnh "
                f"`manage.py axes_reset_ip {ip_address}`."
            ),
        )
