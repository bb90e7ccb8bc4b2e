"""The test suite: PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set (CI)."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-hoitu"
# Any host, unless DJANGO_ALLOWED_HOSTS says (the gunicorn behind the deploy tests' nginx).
ALLOWED_HOSTS = ALLOWED_HOSTS or ["*"]  # noqa: F405
HOITU_ALLOW_DEMO = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline unless a test starts a real worker (marked `worker`).
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/hoitu-test-media"))  # noqa: F405
AXES_ENABLED = True
if REDIS_URL:  # noqa: F405
    # Per process; a server a test starts (tests/deploy) shares the test's keys.
    CACHES["default"]["KEY_PREFIX"] = (  # noqa: F405
        os.environ.get("HOITU_TEST_CACHE_PREFIX") or f"hoitu-test-{os.getpid()}"
    )
WHITENOISE_AUTOREFRESH = True
# Live-server and browser tests get the real stylesheets without collectstatic.
WHITENOISE_USE_FINDERS = True
# Worker and live-server threads close their connections after each task or request, so
# none is left open when the test database is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Off, as in `make run`, so tests log staff in with a password; tests/twofactor turns it
# on (override_settings) and proves what it enforces.
HOITU_STAFF_2FA = False
# Checkout forms end on the gateways' fakes (tests/paywall/fakes.py) on 127.0.0.1.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += ["http://127.0.0.1:*", "http://localhost:*"]  # noqa: F405
# Publishing makes no "Nghe bài viết" audio (espeak + ffmpeg for every story published by
# every test); tests/speech turn it on.
HOITU_SPEECH_AUTO = False
HOITU_SPEECH_DEMO = False
# The imitation FPT.AI / Viettel AI servers listen on 127.0.0.1 over plain http;
# tests/aiservices turn this off to see the production refusal.
AI_ALLOWED_HOSTS = [*AI_ALLOWED_HOSTS, "127.0.0.1"]  # noqa: F405
AI_ALLOW_LOOPBACK_HTTP = True
