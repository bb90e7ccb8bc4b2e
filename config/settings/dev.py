"""`make run`: SQLite, eager tasks, database search, local media. Demo content allowed."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-hoitu"  # noqa: F405
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "[::1]"]
HOITU_ALLOW_DEMO = True
# Sent mail is written to files and read in the browser at /dev/hop-thu/ ("Hộp thư thử
# nghiệm", DEBUG only): the verification link of a reader who signs up is one click away.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "mail-dev"  # noqa: F405
# No shared cache in dev: the paywall's private pages and the meter are easy to watch.
INTERNAL_IPS = ["127.0.0.1"]
# Payments go to local imitations of VNPay, MoMo and ZaloPay (never in production).
PAYWALL_IMITATION_GATEWAYS = True
# The demo accounts log in with their password alone; the admin login page says so.
# `HOITU_STAFF_2FA=1 make run` asks for the second step as production does.
HOITU_STAFF_2FA = env_bool("HOITU_STAFF_2FA", False)  # noqa: F405
