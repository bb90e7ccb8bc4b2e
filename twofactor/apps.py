from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = "Xác thực hai bước"

    def ready(self):
        from . import checks  # noqa: F401
