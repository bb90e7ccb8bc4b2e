"""Removes audit entries older than AUDIT_RETENTION_DAYS (never fewer than 365)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditEntry

MINIMUM_DAYS = 365


class Command(BaseCommand):
    help = "Delete audit log entries older than the retention period (AUDIT_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override the retention.")

    def handle(self, *args, days=None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < MINIMUM_DAYS:
            raise CommandError(
                f"Retention of {days} days refused: audit entries are kept at least "
                f"{MINIMUM_DAYS} days."
            )
        cutoff = timezone.now() - timedelta(days=days)
        removed = AuditEntry.objects.purge_before(cutoff)
        self.stdout.write(f"Removed {removed} audit entries older than {days} days.")
