from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def staff_two_factor_enforced(app_configs, **kwargs):
    if settings.HOITU_STAFF_2FA:
        return []
    return [
        checks.Warning(
            "Two-factor authentication is off for staff (HOITU_STAFF_2FA is False): "
            "a stolen password alone opens the newsroom.",
            hint="Unset HOITU_UNSAFE_STAFF_WITHOUT_2FA.",
            id="twofactor.W001",
        )
    ]
