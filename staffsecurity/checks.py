from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def login_failure_limits(app_configs, **kwargs):
    """One limit per lockout parameter set, or every login would fail with an error."""
    sets, limits = settings.AXES_LOCKOUT_PARAMETERS, settings.HOITU_LOGIN_FAILURE_LIMITS
    if (
        not isinstance(sets, list)
        or len(limits) != len(sets)
        or not all(isinstance(n, int) and n > 0 for n in limits)
    ):
        return [
            checks.Error(
                f"HOITU_LOGIN_FAILURE_LIMITS {limits!r} does not give one positive limit per "
                f"AXES_LOCKOUT_PARAMETERS set {sets!r}.",
                hint="List one failure limit per lockout parameter set, in the same order.",
                id="staffsecurity.E001",
            )
        ]
    return []
