from django.core.management.base import BaseCommand

from push.keys import generate_pair


class Command(BaseCommand):
    help = "Prints a new VAPID key pair for HOITU_VAPID_PRIVATE_KEY and HOITU_VAPID_PUBLIC_KEY."

    def handle(self, *args, **options):
        private, public = generate_pair()
        self.stdout.write(f"HOITU_VAPID_PRIVATE_KEY={private}\nHOITU_VAPID_PUBLIC_KEY={public}")
