"""Liveness and readiness of this app server (docs/operations.md).

/healthz answers from the process alone: no database, no Redis, nothing that can be slow.
/readyz checks what a request needs: the database, the cache's Redis, the Celery broker and
the media storage. The checks run in parallel threads under one deadline, so a dead or
unreachable dependency answers 503 naming it within HOITU_READINESS_TIMEOUT seconds
instead of hanging the probe (or the worker) on a TCP timeout."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections

PROBE_DIR = "ops-probe"


def check_database() -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()  # this thread's connections only: nothing is left open


def check_cache() -> None:
    cache = caches["default"]
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):  # django-redis
        cache.client.get_client(write=True).ping()
        return
    key = f"ops-probe:{uuid.uuid4().hex}"  # another backend: a write and a read back
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_broker() -> None:
    from config.celery import app

    timeout = settings.HOITU_READINESS_TIMEOUT
    options = dict(app.conf.broker_transport_options or {})
    if app.conf.broker_url.startswith(("redis://", "rediss://")):
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
    with app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)  # no 2 s back-off
        conn.default_channel  # noqa: B018 - opens a channel: the broker really answers


def check_storage() -> None:
    from newsroom.media.storage import remote_storage

    if storage := remote_storage():  # the bucket: a write, a read back, a delete
        storage.probe(f"{PROBE_DIR}/{uuid.uuid4().hex}.txt", b"ok")
        return
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                raise RuntimeError("storage returned other bytes than were written")
    finally:
        default_storage.delete(name)


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def _timed(check) -> tuple[float, BaseException | None]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure of a dependency is "not ready", never a 500
        return time.perf_counter() - started, exc
    return time.perf_counter() - started, None


def readiness(detail: bool = False) -> tuple[bool, dict]:
    """Runs every check in parallel; returns (ready, report). The report names each check
    with "ok" or "error" and its latency; with `detail` also the error's type and text
    (which may name hosts and ports: only for trusted callers)."""
    deadline = time.monotonic() + settings.HOITU_READINESS_TIMEOUT
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    futures = {name: pool.submit(_timed, check) for name, check in CHECKS.items()}
    checks = {}
    for name, future in futures.items():
        try:
            elapsed, error = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            elapsed = settings.HOITU_READINESS_TIMEOUT
            error = TimeoutError(f"no answer within {settings.HOITU_READINESS_TIMEOUT} s")
        result = {"status": "ok" if error is None else "error"}
        result["latency_ms"] = round(elapsed * 1000, 1)
        if error is not None and detail:
            result["error"] = f"{type(error).__name__}: {error}"[:300]
        checks[name] = result
    pool.shutdown(wait=False)  # a hung check ends on its own timeout, not the probe's
    return all(c["status"] == "ok" for c in checks.values()), checks
