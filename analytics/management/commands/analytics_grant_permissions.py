from django.core.management.base import BaseCommand

from ...services import analytics_grant_permissions


class Command(BaseCommand):
    help = "Lets agency leaders enter indicator data and the department officer view it."

    def handle(self, *args, **options):
        analytics_grant_permissions()
        self.stdout.write("Permissions granted.")
