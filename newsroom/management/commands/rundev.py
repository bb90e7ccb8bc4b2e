import logging
import threading

from celery.beat import Scheduler
from django.core.management.commands.runserver import Command as RunserverCommand


class DevBeat:
    """Celery beat inside `make run`: Celery's own scheduler over CELERY_BEAT_SCHEDULE,
    kept in memory, its tasks run eagerly in this thread. Scheduled stories go live,
    delivery retries fire, analytics rollups refresh, subscriptions expire, as with a
    beat and a worker in production."""

    def __init__(self, app=None):
        if app is None:
            from config.celery import app
        # As a worker does at start: every app's tasks module, so that each entry runs
        # here (eagerly) instead of being sent to a broker nobody reads.
        app.loader.import_default_modules()
        # "Sending due task" every 5 s would bury runserver's own lines; failures still show.
        logging.getLogger("celery.beat").setLevel(logging.WARNING)
        self.scheduler = Scheduler(app=app, lazy=False)

    def tick(self) -> float:
        """Runs whatever is due; returns the seconds until the next entry is due."""
        return self.scheduler.tick()

    def run(self, stop: threading.Event, log) -> None:
        wait = 1.0
        while not stop.wait(min(wait, 60)):  # 0: another entry is due at once
            try:
                wait = self.tick()
            except Exception as exc:  # noqa: BLE001 - a failed tick must not stop the server
                log(f"Scheduled task failed ({exc!r}); the next tick tries again")
                wait = 5.0


class Command(RunserverCommand):
    help = "runserver plus the Celery beat schedule run in-process (make run)."

    def outbox_line(self) -> str:
        """Where the mail sent by the site can be read (dev outbox), or "" when the dev
        settings do not keep it."""
        from paywall.devmail import outbox_enabled

        if not outbox_enabled():
            return ""
        port = getattr(self, "port", "8000")
        return f"Sent e-mail (dev outbox): http://localhost:{port}/dev/hop-thu/"

    def inner_run(self, *args, **options):
        line = self.outbox_line()
        if line:
            self.stdout.write(line)
        stop = threading.Event()
        beat = DevBeat()
        threading.Thread(
            target=beat.run, args=(stop, self.stderr.write), name="dev-beat", daemon=True
        ).start()
        try:
            return super().inner_run(*args, **options)
        finally:
            stop.set()
