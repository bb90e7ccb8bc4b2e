from django.apps import AppConfig


class OfflineConfig(AppConfig):
    """Ngoại tuyến: each outlet as an installable web app that keeps stories readable
    without a connection (docs/offline.md)."""

    name = "offline"
    verbose_name = "Đọc ngoại tuyến"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .middleware import mark_logout

        user_logged_out.connect(mark_logout, dispatch_uid="offline-clear-site-data")
