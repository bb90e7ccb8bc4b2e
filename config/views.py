"""Site-wide addresses that belong to no app."""

from datetime import UTC, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=86400)
def security_txt(request):
    """/.well-known/security.txt (RFC 9116): whom to tell about a vulnerability, in which
    languages. Contact from HOITU_SECURITY_CONTACT, else security@ the site's own host;
    Expires rolls forward, so the file never goes stale."""
    host = request.get_host().split(":")[0]
    contacts = settings.HOITU_SECURITY_CONTACT or [f"mailto:security@{host}"]
    expires = timezone.now() + timedelta(days=settings.HOITU_SECURITY_TXT_DAYS)
    lines = [f"Contact: {contact}" for contact in contacts]
    lines.append(f"Expires: {expires.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("Preferred-Languages: vi, en")
    lines.append(f"Canonical: {request.build_absolute_uri('/.well-known/security.txt')}")
    if settings.HOITU_SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.HOITU_SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
