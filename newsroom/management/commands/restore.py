from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom import backup
from newsroom.media.storage import media_target


class Command(BaseCommand):
    help = (
        "Decrypt and verify a backup archive, restore it into an empty PostgreSQL database "
        "and media directory, then check row counts and media checksums against its "
        f"manifest. The key comes from {backup.KEY_ENV}."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .hbk file written by `manage.py backup`")
        parser.add_argument(
            "--database-url",
            help="postgres://… of the (empty) database to restore into (required to restore)",
        )
        parser.add_argument(
            "--media-dir",
            help="directory to restore the media files into (default: MEDIA_ROOT, or the "
            "bucket when HOITU_MEDIA_STORAGE=s3)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a non-empty database and media directory",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="only decrypt and check the archive, restore nothing",
        )

    def handle(self, *args, archive, database_url, media_dir=None, force=False, **options):
        path = Path(archive)
        try:
            if options["verify_only"]:
                manifest = backup.verify(path, backup.key_from_env())
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Archive intact: made {manifest['created_at']}, "
                        f"{len(manifest['row_counts'])} tables, {len(manifest['media'])} "
                        "media files."
                    )
                )
                return
            if not database_url:
                raise CommandError("Pass --database-url of the empty database to restore into.")
            # Default: where the site keeps its media (the bucket, with HOITU_MEDIA_STORAGE=s3).
            media = Path(media_dir) if media_dir else media_target()
            summary = backup.restore(path, database_url, media, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = summary["manifest"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored backup of {manifest['created_at']} (version "
                f"{manifest['app_version']}): {summary['tables']} tables, {summary['rows']} "
                f"rows and {summary['media_files']} media files, all equal to the manifest."
            )
        )
