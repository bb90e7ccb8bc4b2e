from django.conf import settings
from django.core.management.base import BaseCommand

from staffsecurity.services import inactive_staff_disable


class Command(BaseCommand):
    help = (
        "Disable staff accounts with no login for HOITU_STAFF_INACTIVE_DAYS days (Celery "
        "beat runs this daily), end their sessions and mail the administrators."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the accounts, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        names = inactive_staff_disable(dry_run=dry_run)
        days = settings.HOITU_STAFF_INACTIVE_DAYS
        verb = "Would disable" if dry_run else "Disabled"
        for name in names:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(names)} staff account(s) unused for {days} days.")
