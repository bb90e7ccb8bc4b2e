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


# The demo newsroom, as loaded once per test database, kept on PostgreSQL as a template
# database: a transactional test (live server, real worker) ends with a flush, and the next
# test that reads the demo gets it back by a file copy (about a second) instead of a reload
# (tens of seconds of pages, renditions, ffmpeg cuts and rollups).
def _snapshot_names():
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    name = connection.settings_dict["NAME"]
    return name, f"{name}_demo"


@contextlib.contextmanager
def _maintenance():
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as conn:
        yield conn


def _copy_database(conn, source: str, target: str) -> bool:
    """Replaces `target` by a copy of `source`; False (nothing changed) while another
    session is still on either (a request thread or a worker of the test that just
    ended): the caller then loads the demo the slow way. Nobody's connection is killed."""
    import time
    import warnings

    import psycopg
    from psycopg import sql

    for _ in range(30):  # a request thread that just answered lets go within moments
        busy = conn.execute(
            "SELECT state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname IN (%s, %s) AND pid <> pg_backend_pid()",
            [source, target],
        ).fetchall()
        if not busy:
            break
        time.sleep(0.1)
    else:
        # Said out loud (pytest's warnings summary): a connection a test left open makes
        # every later restore of this process a full reload of the demo.
        warnings.warn(
            f"{target} not restored from {source}: other sessions stay connected "
            f"(a connection left open?), the demo is loaded again the slow way: {busy}",
            stacklevel=2,
        )
        return False
    try:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
    except psycopg.errors.ObjectInUse:
        return False
    conn.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target), sql.Identifier(source)
        )
    )
    return True


def demo_snapshot_take() -> None:
    from django.db import connections

    names = _snapshot_names()
    if names is None:
        return
    connections.close_all()
    with _maintenance() as conn:
        _copy_database(conn, *names)


def demo_snapshot_drop() -> None:
    from django.db import connections
    from psycopg import sql

    names = _snapshot_names()
    if names is None:
        return
    connections.close_all()
    with _maintenance() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(names[1])))


def _demo_files_present() -> bool:
    """A transactional test may have deleted a demo cut or image with its files: the
    snapshot's rows would then point at nothing."""
    from django.core.files.storage import default_storage
    from wagtail.images import get_image_model

    from newsroom.models import MediaAsset

    names = [n for n in MediaAsset.objects.values_list("file", flat=True) if n]
    names += [n for n in get_image_model().objects.values_list("file", flat=True) if n]
    return all(default_storage.exists(n) for n in names)


def _demo_snapshot_restore() -> bool:
    """Copies the snapshot over the test database; False when there is none to copy."""
    from django.db import connection, connections

    names = _snapshot_names()
    if names is None or connection.in_atomic_block:
        return False
    with _maintenance() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [names[1]]).fetchone():
            return False
        connections.close_all()
        return _copy_database(conn, names[1], names[0])


def ensure_demo():
    """The demo newsroom, whatever an earlier transactional test left: from the snapshot
    when there is one, else loaded again. Returns the demo loader module."""
    from django.core.management import call_command

    from newsroom.demo import loader

    if loader.demo_loaded():
        return loader
    restored = _demo_snapshot_restore()
    if restored and _demo_files_present():
        return loader
    if restored:  # its rows would point at files a test deleted: load it all again
        call_command("flush", interactive=False, verbosity=0)
    restore_migration_rows()
    call_command("load_initial_data", verbosity=0)
    return loader


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
def broker_backlog(queue: str):
    """One message waits in the broker's `queue` for the length of the block (nothing in
    the tests consumes the queues of eager Celery), purged after."""
    import warnings

    from celery.exceptions import AlwaysEagerIgnored

    from config.celery import app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)  # it goes to the broker: wanted
        app.send_task("tests.never_run", queue=queue)
    try:
        yield
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


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
    from push.keys import generate_pair

    env["HOITU_VAPID_PRIVATE_KEY"], env["HOITU_VAPID_PUBLIC_KEY"] = generate_pair()
    env.update(overrides)
    return env
