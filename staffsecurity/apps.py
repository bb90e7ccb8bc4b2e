from django.apps import AppConfig


class StaffSecurityConfig(AppConfig):
    name = "staffsecurity"
    verbose_name = "An toàn đăng nhập"

    def ready(self):
        from . import checks, signals  # noqa: F401 - system check; alerts, session tracking
