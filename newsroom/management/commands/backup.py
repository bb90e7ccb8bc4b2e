from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom import backup
from newsroom.media.storage import media_target


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (pg_dump of the database plus the media files, from "
        "MEDIA_ROOT or the object storage, with a "
        "manifest) into the backup directory, keeping the N most recent. The key comes "
        f"from {backup.KEY_ENV}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", help="directory for the archives (default: HOITU_BACKUP_DIR)"
        )
        parser.add_argument(
            "--keep", type=int, help="archives to keep, newest first (default: HOITU_BACKUP_KEEP)"
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="print a new random key and exit"
        )

    def handle(self, *args, output_dir=None, keep=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(backup.generate_key())
            return
        keep = settings.HOITU_BACKUP_KEEP if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        output_dir = Path(output_dir or settings.HOITU_BACKUP_DIR)
        try:
            result = backup.backup(settings.DATABASES["default"], media_target(), output_dir, keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result["manifest"]
        if options["verbosity"] > 0:
            size = result["path"].stat().st_size
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backup written: {result['path']} ({size / 1024**2:.1f} MiB; "
                    f"{len(manifest['row_counts'])} tables, "
                    f"{sum(manifest['row_counts'].values())} rows, "
                    f"{len(manifest['media'])} media files)."
                )
            )
            for path in result["removed"]:
                self.stdout.write(f"Removed old backup: {path}")
