from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def staff_2fa_off_notice():
    """What the admin login page says when staff log in with a password alone."""
    if settings.HOITU_STAFF_2FA:
        return ""
    if settings.DEBUG or settings.HOITU_ALLOW_DEMO:
        return "Bản chạy thử: xác thực hai bước đang tắt cho tài khoản biên tập."
    return "Cảnh báo: xác thực hai bước đang tắt cho tài khoản biên tập (cấu hình không an toàn)."
