"""Settings for the analytics benchmarks: production-like (no debug, Celery workers on
Redis, the Redis buffer) on this machine. Needs DATABASE_URL and REDIS_URL."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = False
HOITU_ALLOW_DEMO = True
# wrk sends everything from 127.0.0.1: the flood limit would measure itself.
ANALYTICS_RATE_LIMIT_PER_MINUTE = 10**9
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
