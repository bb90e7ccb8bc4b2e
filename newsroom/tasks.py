from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled_pages():
    """Wagtail's scheduled publishing (and expiry), run by Celery beat every minute."""
    call_command("publish_scheduled")
