"""Production: everything secret or site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.secrets_check import (
    page_cache_problems,
    proxy_problems,
    push_problems,
    secret_problems,
    storage_problems,
)

from .base import *  # noqa: F403

# No start on a missing secret or on one published in the repository (the sandbox
# defaults of base.py): a notification signed with a public key would mark orders paid.
# Nor without TRUSTED_PROXIES (or `none`): behind nginx every reader would share its address.
# Nor, with media on object storage, without a bucket and access keys of the site's own.
if _problems := (
    secret_problems(os.environ)
    + proxy_problems(os.environ)
    + storage_problems(os.environ)
    + page_cache_problems(os.environ)
    + push_problems(os.environ)
):
    raise ImproperlyConfigured("; ".join(_problems))
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production")

DEBUG = False
# Loading demo accounts (known passwords) needs `load_initial_data --allow-production`.
HOITU_ALLOW_DEMO = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The browsers' preload list is hard to leave: each agency opts in (docs/security.md).
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
# Cuts of paid stories: Django checks the signed link and the gate, nginx sends the file
# from this `internal` location (docs/media.md).
# On object storage the app answers a presigned redirect instead, unless this is set to a
# location where nginx proxies the bucket.
HOITU_MEDIA_ACCEL_REDIRECT = os.environ.get(
    "HOITU_MEDIA_ACCEL_REDIRECT",
    "" if HOITU_MEDIA_STORAGE == "s3" else "/_protected-media/",  # noqa: F405
)

# Every staff account logs in with a second factor (twofactor/). Turning it off takes
# HOITU_UNSAFE_STAFF_WITHOUT_2FA=1, which is unsafe (a stolen password alone then opens
# the newsroom), flagged by `check --deploy` (twofactor.W001) and on the login page.
HOITU_STAFF_2FA = not env_bool("HOITU_UNSAFE_STAFF_WITHOUT_2FA")  # noqa: F405

# One JSON object per line on stdout for the log collector (HOITU_LOG_FORMAT=text for a
# human); a Celery worker keeps this configuration instead of installing its own.
HOITU_LOG_FORMAT = os.environ.get("HOITU_LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = HOITU_LOG_FORMAT  # noqa: F405
for _handler in ("console", "audit_json"):
    LOGGING["handlers"][_handler]["stream"] = "ext://sys.stdout"  # noqa: F405
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
