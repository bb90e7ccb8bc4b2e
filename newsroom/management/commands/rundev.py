import threading

from django.core.management import call_command
from django.core.management.commands.runserver import Command as RunserverCommand

# Celery beat runs `publish_scheduled` every minute in production; here a thread does.
SCHEDULE_SECONDS = 60


class Command(RunserverCommand):
    help = "runserver plus Wagtail's scheduled publishing every minute (make run)."

    def inner_run(self, *args, **options):
        stop = threading.Event()

        def loop():
            while not stop.wait(SCHEDULE_SECONDS):
                try:
                    call_command("publish_scheduled", verbosity=0)
                except Exception:  # noqa: BLE001 - a failed tick must not stop the server
                    self.stderr.write("publish_scheduled failed; retrying next minute")

        threading.Thread(target=loop, name="publish-scheduled", daemon=True).start()
        try:
            return super().inner_run(*args, **options)
        finally:
            stop.set()
