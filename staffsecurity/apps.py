from django.apps import AppConfig


class StaffSecurityConfig(AppConfig):
    name = "staffsecurity"
    verbose_name = "An toàn đăng nhập"

    def ready(self):
        from . import signals  # noqa: F401 - lockout alerts, session tracking and ending
