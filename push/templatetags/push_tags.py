from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("push/button.html")
def push_optin():
    """The reader's "Nhận tin nóng" button (hidden until push/push.js finds the Push API)."""
    return {
        "push_settings": {
            "enabled": settings.HOITU_PUSH_ENABLED and bool(settings.HOITU_VAPID_PUBLIC_KEY),
            "public_key": settings.HOITU_VAPID_PUBLIC_KEY,
            "worker": settings.PUSH_SERVICE_WORKER_URL,
        }
    }
