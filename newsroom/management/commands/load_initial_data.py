from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

# Each app may add its own demo data in a module with a `load(stdout)` function; they run
# in the order data flows: the newsroom first, then the apps that follow it. A module that
# does not exist yet is passed over.
DEMO_MODULES = [
    "newsroom.demo.broadcast",
    "paywall.demo",
    "distribution.demo",
    "search.demo",
    "analytics.demo",
    "royalties.demo",
    "newsletters.demo",
    "push.demo",
    "transcripts.demo",
    "speech.demo",
]


class Command(BaseCommand):
    help = "Loads the demo newsroom (three agencies, staff, stories). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do nothing if the demo is already loaded."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo accounts (known password) even where settings forbid it.",
        )

    def handle(self, *args, once=False, allow_production=False, **options):
        if not settings.HOITU_ALLOW_DEMO and not allow_production:
            raise CommandError(
                "Demo content creates accounts with a known password; these settings forbid "
                "it. Pass --allow-production if you really mean it."
            )
        from newsroom.demo import loader

        if once and loader.demo_loaded():
            self.stdout.write("Demo content already loaded.")
            return
        # Publishing each demo story would read it aloud ("Nghe bài viết", seconds of
        # espeak-ng and ffmpeg each); speech.demo reads a few instead.
        with override_settings(HOITU_SPEECH_AUTO=False):
            loader.load(stdout=self.stdout)
            for name in DEMO_MODULES:
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content ready."))
