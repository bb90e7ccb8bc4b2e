import json

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from newsroom.media.storage import public_read_policy, remote_storage


class Command(BaseCommand):
    help = (
        "Print (or, with --apply, set) the bucket policy of the media object storage "
        "(HOITU_MEDIA_STORAGE=s3): anonymous reads of the public image prefixes only; "
        "every other object stays private and is served through the app's check."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="set the policy on the bucket (replaces it)"
        )

    def handle(self, *args, apply=False, **options):
        storage = remote_storage()
        if storage is None:
            raise CommandError(
                "The media storage is not S3-compatible object storage (HOITU_MEDIA_STORAGE=s3)."
            )
        policy = json.dumps(public_read_policy(storage), indent=2)
        if not apply:
            self.stdout.write(policy)
            return
        client = storage.connection.meta.client
        try:
            client.put_bucket_policy(Bucket=storage.bucket_name, Policy=policy)
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"Could not set the policy of {storage.bucket_name}: {exc}") from exc
        self.stdout.write(f"Bucket {storage.bucket_name}: public read of the image prefixes only.")
