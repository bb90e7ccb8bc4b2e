from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services import ImportRejected, ip_ranges_import


class Command(BaseCommand):
    help = (
        "Imports the IP-range table (CSV: cidr,commune_code; code 0 = outside Thanh Hóa). "
        "Replaces the table; a file with any bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file")
        parser.add_argument("--append", action="store_true", help="keep the existing ranges")

    def handle(self, *args, csv_file, append=False, **options):
        try:
            text = Path(csv_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        try:
            count = ip_ranges_import(text=text, replace=not append)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing imported: {len(exc.errors)} bad row(s).") from exc
        self.stdout.write(f"Imported {count} IP ranges.")
