"""Addresses the server itself calls out to (push services, AI providers): only HTTPS on
an allowed host, so that a stored address can never turn the site into a relay towards
its own network (cloud metadata, Redis, the admin on 127.0.0.1). Plain http is allowed
on the loopback only where a setting says so (the tests' imitation servers)."""

import ipaddress
from urllib.parse import urlsplit

# What is wrong with an address, for the caller to word (Vietnamese on screens).
INVALID = "invalid"
NOT_HTTPS = "https"
HOST_NOT_ALLOWED = "host"


def host_allowed(host: str, allowed) -> bool:
    """The host is one of `allowed` or under one of them (a parent domain)."""
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(value, *, allowed, allow_loopback_http: bool = False) -> str | None:
    """None when the server may call `value`; otherwise INVALID, NOT_HTTPS or
        HOST_NOT_ALLOWED. The host must be in `allowed` whatever the scheme; `allow_loopback_http`
    lets plain http through for loopback hosts only."""
    if not isinstance(value, str) or not value or len(value) > 1000:
        return INVALID
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return INVALID
    if parts.username or parts.password or not host or not value.isprintable() or " " in value:
        return INVALID
    loopback_ok = allow_loopback_http and is_loopback(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback_ok):
        return NOT_HTTPS
    if not host_allowed(host, allowed):
        return HOST_NOT_ALLOWED
    return None
