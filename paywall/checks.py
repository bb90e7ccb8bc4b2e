from django.conf import settings
from django.core import checks

# Public sandbox credentials and endpoints (the defaults in settings): anyone can sign
# with them, so production must set its own.
SANDBOX_MARKERS = (
    "hoitu-dev-vnpay-secret",
    "F8BBA842ECF85",
    "K951B6PE1waDMi640xX08PD3vg6EkVlz",
    "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
    "sandbox",
    "test-payment",
    "sb-openapi",
)


@checks.register(checks.Tags.security, deploy=True)
def gateway_credentials(app_configs, **kwargs):
    errors = []
    for name, config in settings.PAYWALL_GATEWAYS.items():
        for key, value in config.items():
            if any(marker in str(value) for marker in SANDBOX_MARKERS):
                errors.append(
                    checks.Error(
                        f"PAYWALL_GATEWAYS[{name!r}][{key!r}] is a public sandbox value.",
                        hint=f"Set the {name.upper()}_* environment variables in production.",
                        id="paywall.E001",
                    )
                )
    return errors
