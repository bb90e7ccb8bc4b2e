"""The reader's real address behind the site's own reverse proxies.

Behind nginx every request comes from the proxy, so REMOTE_ADDR alone would give every
reader the proxy's address: institutional IP access, the beacon's place and visitor
hash, and django-axes' lockouts would all see one client. X-Forwarded-For cannot be
taken at its word either: its left-most entries are whatever the client sent. So the
address is read from the right: past the proxies listed in TRUSTED_PROXIES (CIDRs, only
when the request itself came from one of them), the first address that is not ours is
the client's. Everything after this middleware (paywall, analytics, axes) reads
REMOTE_ADDR."""

import ipaddress
import logging
from functools import lru_cache

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def real_client_address(remote_addr: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    """The client's address: REMOTE_ADDR unless it is a trusted proxy, then the right-most
    X-Forwarded-For entry that is not one. A malformed entry stops the walk at the last
    proxy we trust, so a forged header never yields an address of the sender's choosing."""
    networks = _networks(trusted)
    if not networks or not forwarded_for:
        return remote_addr
    peer = _address(remote_addr)
    if peer is None or not any(peer in network for network in networks):
        return remote_addr
    client = remote_addr
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            logger.info("Ignoring malformed X-Forwarded-For entry %r", entry.strip()[:64])
            break
        client = str(address)
        if not any(address in network for network in networks):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = tuple(settings.TRUSTED_PROXIES)
        _networks(self.trusted)  # a typo in the setting fails at start-up, not per request

    def __call__(self, request):
        if self.trusted:
            request.META["REMOTE_ADDR"] = real_client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.trusted,
            )
        return self.get_response(request)


def client_ip(request) -> str:
    """The reader's address, for every app (this middleware has already resolved it)."""
    return request.META.get("REMOTE_ADDR", "")


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's Content-Security-Policy: settings.CONTENT_SECURITY_POLICY on the reader
    site, the looser HOITU_ADMIN_CSP (inline script and style, which Wagtail's admin needs)
    under HOITU_ADMIN_PATH. Adds Permissions-Policy to every response."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(settings.HOITU_ADMIN_PATH)
        ):
            parts.config = settings.HOITU_ADMIN_CSP["DIRECTIVES"]
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
