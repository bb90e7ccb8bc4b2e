from celery import shared_task

from . import services


@shared_task
def disable_inactive_staff() -> int:
    """Beat task: staff accounts unused for HOITU_STAFF_INACTIVE_DAYS are disabled."""
    return len(services.inactive_staff_disable())
