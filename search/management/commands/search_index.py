from django.core.management.base import BaseCommand, CommandError

from search.models import StoryIndex
from search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the story search index from every live public story."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild the whole index (and alias on ES)"
        )

    def handle(self, *args, rebuild=False, **options):
        if not rebuild:
            raise CommandError("Nothing to do: pass --rebuild to rebuild the index.")
        verbose = options["verbosity"] > 0
        width = 40

        def progress(done, total):
            if not verbose:
                return
            filled = width * done // max(total, 1)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                ending="" if done < total else "\n",
            )
            self.stdout.flush()

        count = search_index_rebuild(progress=progress)
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indexed {count} stories; index holds {StoryIndex.objects.count()} rows."
                )
            )
