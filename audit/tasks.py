from celery import shared_task
from django.core.management import call_command


@shared_task
def purge_expired_entries():
    call_command("audit_purge")
