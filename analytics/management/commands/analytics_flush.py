from django.core.management.base import BaseCommand

from ...services import events_flush, rollups_refresh


class Command(BaseCommand):
    help = "Writes buffered beacon events to the database and refreshes pending rollups."

    def handle(self, *args, **options):
        written = events_flush()
        buckets = rollups_refresh(limit=100000)
        self.stdout.write(f"Wrote {written} events; recounted {buckets} buckets.")
