from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "paywall"
    verbose_name = "Thu phí nội dung"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the deploy checks
        from .signals import merge_meter_on_login

        user_logged_in.connect(merge_meter_on_login, dispatch_uid="paywall-meter-merge")
