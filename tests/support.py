"""Helpers shared by the test packages."""

import contextlib
import os

import pytest


def restore_migration_rows():
    """A transactional test (live_server, a real worker) ends with a flush that also
    removes the rows migrations seeded: Wagtail's locale, root page and root collection,
    and the communes of Thanh Hóa. Puts them back so the next test starts from a
    migrated database."""
    import importlib

    from django.apps import apps
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    importlib.import_module("newsroom.migrations.0002_seed_places").seed(apps, None)


def clear_cache():
    """Empties this test process's cache and nothing else. django-redis's `cache.clear()`
    is FLUSHDB: under pytest-xdist it would also wipe the other test process's cache (its
    image renditions, so a query count changes) and the messages queued for its Celery
    worker on the same Redis database."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis: only keys of this KEY_PREFIX
        cache.delete_pattern("*")
    else:
        cache.clear()


# Without REDIS_URL (a plain `make test`), the local Redis; never skipped.
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _use_broker(app, url):
    app.conf.broker_url = url
    # Celery caches its connection pool and producers on first use; forget them so the
    # next message goes to the broker configured now (kombu keeps its own per-URL pools,
    # so nothing is closed under another test's feet).
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def running_worker(settings, *, pool="solo", concurrency=1):
    """A real Celery worker on Redis for the length of the block. Every worker test uses
    this one helper so that they cannot leave each other a stale broker, pool or queue."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"This test needs a Celery worker on Redis and {url} does not answer: {exc}")
    # Messages a killed worker of an earlier run left unacknowledged would be restored to
    # this worker and name rows of another database: drop them with the queue.
    client.delete("unacked", "unacked_index", "unacked_mutex")
    saved_broker = app.conf.broker_url
    saved_options = app.conf.broker_transport_options
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    # Every Redis key of this process's queues gets its own prefix: under pytest-xdist the
    # other test process may run a worker on the same Redis database at the same moment,
    # and it would take this test's messages (and look for their rows in its own test
    # database): a story or a media asset left pending for ever.
    app.conf.broker_transport_options = {
        **(saved_options or {}),
        "global_keyprefix": f"hoitu-test-{os.getpid()}:",
    }
    _use_broker(app, url)
    app.control.purge()  # nothing left over from an earlier test reaches this worker
    try:
        with start_worker(
            app,
            pool=pool,
            concurrency=concurrency,
            perform_ping_check=False,
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_transport_options = saved_options
        _use_broker(app, saved_broker)


def production_env(**overrides) -> dict:
    """The environment of a process on config.settings.production: every secret it
    refuses to start without, freshly generated (none of them ships in the repository)."""
    import secrets

    from cryptography.fernet import Fernet

    from config.secrets_check import SHIPPED_VALUES

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.production")
    env.update({name: secrets.token_urlsafe(32) for name in SHIPPED_VALUES})
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DISTRIBUTION_CREDENTIALS_KEY"] = Fernet.generate_key().decode()
    env["DJANGO_ALLOWED_HOSTS"] = "bao.example.vn"
    env["TRUSTED_PROXIES"] = "127.0.0.1/32"  # nginx on the same machine (deploy/)
    env.update(overrides)
    return env
