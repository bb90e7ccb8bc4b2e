"""Celery on the RabbitMQ of this machine, as production runs it: real worker processes
started with the shipped systemd units' command lines and config.settings.production,
each test on a vhost of its own. A worker killed mid-task (kill -9) and a broker restart
lose no distribution delivery, media job or analytics batch, and none happens twice.

Only this module uses RabbitMQ. The broker restart (`rabbitmqctl stop_app`) would cut the
connections of another RabbitMQ test running at the same moment (pytest-xdist, a second
run on the machine): it holds a file lock exclusively, the other tests share it."""

import contextlib
import fcntl
import json
import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile

from analytics import buffer
from analytics.models import Event
from distribution.models import Delivery, DeliveryAction, DeliveryState, Platform, PlatformCopy
from distribution.services import deliveries_sweep, story_deliveries_create
from newsroom.media.services import media_assets_requeue
from newsroom.models import MediaAsset, ProcessingStatus
from tests.analytics.conftest import BROWSER_UA
from tests.distribution.conftest import agency_stories, make_push_platform
from tests.distribution.fakes import PushFake, PushHandler
from tests.media.conftest import ffmpeg
from tests.support import _use_broker, production_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent
UNITS = BASE_DIR / "deploy" / "systemd"
RESTART_LOCK = "/tmp/hoitu-test-rabbitmq.lock"
TIMEOUT = 60


def rabbitmqctl(*args, timeout=60) -> str:
    try:
        done = subprocess.run(
            ["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout
        )
    except FileNotFoundError:
        pytest.fail("These tests need RabbitMQ on this machine (rabbitmqctl is not installed)")
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}"
    return done.stdout


def wait_for(predicate, what: str, *procs, timeout: float = TIMEOUT, every=0.2, tick=None):
    """Polls `predicate` until it is true; `tick` runs every second meanwhile (what beat
    does in production: the sweeps and the analytics flush). The workers' logs tell why
    not."""
    deadline = time.monotonic() + timeout
    next_tick = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return
        if tick and time.monotonic() >= next_tick:
            tick()
            next_tick = time.monotonic() + 1
        time.sleep(every)
    raise AssertionError(
        f"timed out after {timeout}s waiting for {what}\n{logs(*procs)}\n{sessions()}"
    )


def sessions() -> str:
    """What the test database's sessions are doing (a worker stuck on what?)."""
    from django.db import connection

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        ).fetchall()
    return "\n".join(map(str, rows))


@contextlib.contextmanager
def broker_lock(exclusive: bool):
    with open(RESTART_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture
def vhost(request):
    """A vhost of this test's own on the local RabbitMQ, deleted afterwards."""
    exclusive = request.node.get_closest_marker("broker_restart") is not None
    with broker_lock(exclusive):
        name = f"hoitu-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        rabbitmqctl("add_vhost", name)
        try:
            rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
            yield name
        finally:
            rabbitmqctl("delete_vhost", name)


@pytest.fixture
def amqp(vhost, settings):
    """This process publishes as the web does in production: to RabbitMQ, with publisher
    confirms and the production retry policy (shortened: an outage here is on purpose)."""
    from config.celery import app

    url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "broker_transport_options", "task_publish_retry_policy")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"confirm_publish": True}
    app.conf.task_publish_retry_policy = {**saved["task_publish_retry_policy"], "max_retries": 1}
    _use_broker(app, url)
    try:
        yield url
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_transport_options = saved["broker_transport_options"]
        app.conf.task_publish_retry_policy = saved["task_publish_retry_policy"]
        _use_broker(app, saved["broker_url"])


def unit_command(unit: str, name: str) -> list[str]:
    """The worker command line of a shipped systemd unit, run by this interpreter."""
    line = next(x for x in (UNITS / unit).read_text().splitlines() if x.startswith("ExecStart="))
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0].endswith("/celery"), argv
    argv[argv.index("-n") + 1] = f"{name}@%h"
    # No waiting for other workers' greetings at start (seconds each time, nothing to sync).
    return [sys.executable, "-m", "celery", *argv[1:], "--without-mingle", "--without-gossip"]


@pytest.fixture
def worker_env(amqp, settings):
    """The environment of a worker on config.settings.production, this test's database,
    Redis (the analytics buffer under this process's key prefix), media root and vhost;
    platform credentials are encrypted with its key from here on."""
    from django.db import connection

    db = connection.settings_dict
    env = production_env(
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        DB_CONN_MAX_AGE="0",
        REDIS_URL=settings.REDIS_URL,
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        CELERY_BROKER_URL=amqp,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        HOITU_LOG_FORMAT="text",
        HOITU_MEDIA_X264_PRESET="ultrafast",
        # A batch taken by the killed worker is re-queued after a second, not five minutes.
        ANALYTICS_BATCH_STALE_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    settings.DISTRIBUTION_CREDENTIALS_KEY = env["DISTRIBUTION_CREDENTIALS_KEY"]
    return env


@pytest.fixture
def workers(worker_env, tmp_path):
    """Starts worker processes with a shipped unit's command line; all killed at the end."""
    started = []

    def start(unit, *extra):
        name = f"{unit.split('.')[0]}-{len(started)}"
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed at teardown
        proc = subprocess.Popen(
            unit_command(unit, name) + list(extra),
            cwd=BASE_DIR,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool too
        )
        proc.log_path, proc.log = tmp_path / f"{name}.log", log
        started.append(proc)
        return proc

    yield start
    for proc in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.log.close()


def kill_group(proc) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def pool_children(proc) -> list[int]:
    pids = []
    for task in os.listdir(f"/proc/{proc.pid}/task"):
        children = Path(f"/proc/{proc.pid}/task/{task}/children").read_text().split()
        pids += [int(pid) for pid in children]
    return pids


def logs(*procs) -> str:
    return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text()[-3000:]}" for p in procs)


@contextlib.contextmanager
def database_lock(sql: str, params=()):
    """Holds a PostgreSQL lock from another session until the block ends: the worker's
    statement that needs it waits, which keeps its task running for as long as the test
    wants."""
    from django.db import connection

    conn = psycopg.connect(**connection.get_connection_params())
    try:
        conn.execute(sql, params)
        yield conn
    finally:
        conn.rollback()
        conn.close()


def waiting_on_lock(statement: str) -> bool:
    """A session of the test database waits on a lock while running `statement`... (asked
    in a transaction of its own: pg_stat_activity is a snapshot per transaction)."""
    from django.db import connection

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        return bool(
            conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                [connection.settings_dict["NAME"], statement + "%"],
            ).fetchone()[0]
        )


class GatedPushHandler(PushHandler):
    def do_POST(self):
        with self.fake.lock:
            self.fake.keys.append(self.headers.get("Idempotency-Key", ""))
        self.fake.arrived.set()
        self.fake.gate.wait(TIMEOUT)  # the platform "thinks" until the test lets it answer
        super().do_POST()


class GatedPushFake(PushFake):
    handler_class = GatedPushHandler

    def __init__(self):
        import threading

        super().__init__()
        self.keys: list[str] = []
        self.arrived = threading.Event()
        self.gate = threading.Event()


@pytest.fixture
def push(demo, worker_env):
    """The signed HTTP push fake as the agency's only enabled platform."""
    agency = demo.Agency.objects.get(slug="baothanhhoa")
    with GatedPushFake() as fake:
        Platform.objects.filter(agency=agency).update(enabled=False)
        fake.platform = make_push_platform(agency, fake)
        fake.stories = list(agency_stories(agency)[:2])
        yield fake


def deliver(story) -> Delivery:
    (delivery,) = story_deliveries_create(story_id=story.pk, action=DeliveryAction.PUBLISH)
    return delivery


def beacons(client, story, count: int) -> None:
    site_id = story.get_site().pk
    for _ in range(count):
        response = client.post(
            "/a/collect",
            data=json.dumps({"k": "pageview", "p": story.pk, "s": site_id}),
            content_type="text/plain",
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT=BROWSER_UA,
        )
        assert response.status_code == 204


@pytest.fixture
def beacon_buffer(settings):
    """The Redis buffer of this process's key prefix, empty before and after."""
    settings.ANALYTICS_BUFFER = "redis"
    settings.ANALYTICS_REDIS_URL = settings.REDIS_URL
    buffer._client = None

    def empty():
        r = buffer.client()
        queue, processing = buffer.keys()
        r.delete(queue, processing, *r.zrange(processing, 0, -1))

    empty()
    Event.objects.all().delete()
    yield buffer
    empty()
    buffer._client = None


@pytest.fixture
def tone(tmp_path) -> bytes:
    path = tmp_path / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", str(path))
    return path.read_bytes()


def upload(tone: bytes, title: str) -> MediaAsset:
    asset = MediaAsset(title=title, type="audio")
    asset.file.save("tone.wav", ContentFile(tone), save=False)
    asset.save()  # autocommit: the job is published to the media queue at once
    return asset


def status(asset) -> str:
    return MediaAsset.objects.get(pk=asset.pk).processing_status


def test_workers_killed_mid_task_lose_nothing(push, beacon_buffer, workers, client, tone, settings):
    """Mid-task: a default worker killed whole (kill -9 of its process group) while it posts
    to a platform and writes an analytics batch, and the media worker's pool process killed
    mid-job (the kernel's OOM killer). The broker gives the default worker's messages to the
    next worker: the delivery reaches the platform once (same idempotency key), every event
    counts once. The media worker itself gives its job back (reject on worker lost; Celery
    would otherwise acknowledge it: lost) and runs it again with a new pool process."""
    from analytics.tasks import events_flush

    settings.ANALYTICS_BATCH_SIZE = 1000  # no flush queued by the beacons themselves
    settings.DISTRIBUTION_SENDING_LEASE_SECONDS = 2
    story = push.stories[0]
    beacons(client, story, 20)
    asset = upload(tone, "Giết giữa chừng")
    with (
        database_lock("LOCK TABLE analytics_event IN SHARE MODE"),
        database_lock("SELECT 1 FROM newsroom_mediaasset WHERE id = %s FOR UPDATE", [asset.pk]),
    ):
        delivery = deliver(story)
        events_flush.delay()
        first = workers("hoitu-worker.service", "-c", "2")
        media = workers("hoitu-worker-media.service")
        assert push.arrived.wait(TIMEOUT), logs(first)
        wait_for(
            lambda: (
                waiting_on_lock('INSERT INTO "analytics_event"')
                and waiting_on_lock('UPDATE "newsroom_mediaasset"')
            ),
            "the flush and the media job to start",
            first,
            media,
        )
        assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SENDING
        assert beacon_buffer.in_flight() == 20 and beacon_buffer.length() == 0
        kill_group(first)
        (child,) = pool_children(media)
        os.kill(child, signal.SIGKILL)
        push.gate.set()  # the platform answers the dead worker (its post counts once)
    second = workers("hoitu-worker.service", "-c", "2")

    def beat():
        deliveries_sweep()  # frees the row the dead worker left `sending`, after its lease
        events_flush.delay()

    wait_for(
        lambda: (
            Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED
            and Event.objects.count() == 20
            and status(asset) == ProcessingStatus.READY
        ),
        "the delivery, the batch and the media job after the kills",
        first,
        second,
        media,
        tick=beat,
    )
    assert len(push.keys) == 2 and len(set(push.keys)) == 1  # sent again, same key
    assert len(push.received) == 1  # ... and the platform holds one copy
    assert PlatformCopy.objects.filter(story=story, platform=push.platform).count() == 1
    assert Event.objects.values("event_id").distinct().count() == 20
    assert beacon_buffer.length() == 0 and beacon_buffer.in_flight() == 0
    assert media.poll() is None  # the same media worker, with a new pool process
    assert pool_children(media) != [child]
    assert MediaAsset.objects.get(pk=asset.pk).renditions.count() == 2
    assert "WorkerLostError" in media.log_path.read_text()


@pytest.mark.broker_restart
def test_broker_restart_loses_no_queued_or_published_task(
    push, beacon_buffer, amqp, workers, client, tone, settings
):
    """RabbitMQ stops with a delivery, a media job and a flush queued (no worker running),
    and more are published while it is down; after the restart the queued messages are
    still there (durable queues, persistent messages) and the sweeps send what could not
    be published. Then the connections are cut under running workers: a publish is
    retried on a new connection, the workers reconnect. Nothing lost, nothing doubled."""
    from analytics.tasks import events_flush
    from config.metrics import queue_depths

    push.gate.set()
    settings.ANALYTICS_BATCH_SIZE = 5
    settings.DISTRIBUTION_PENDING_GRACE_SECONDS = 0
    before, during = push.stories
    beacons(client, before, 4)
    queued = [deliver(before), upload(tone, "Trước khi dừng")]
    events_flush.delay()
    assert queue_depths(["celery", "media"]) == {"celery": 2, "media": 1}
    rabbitmqctl("stop_app")
    try:
        beacons(client, during, 6)  # the fifth asks for a flush: refused, the beacon answers
        published = [deliver(during), upload(tone, "Trong khi dừng")]
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
    # Both queues kept their messages through the restart.
    wait_for(lambda: _depths_or_none() == {"celery": 2, "media": 1}, "the queues back")
    started = [workers("hoitu-worker.service", "-c", "2"), workers("hoitu-worker-media.service")]

    def beat():
        deliveries_sweep()
        media_assets_requeue()
        events_flush.delay()

    deliveries, assets = [queued[0], published[0]], [queued[1], published[1]]
    wait_for(
        lambda: (
            all(Delivery.objects.get(pk=d.pk).state == "delivered" for d in deliveries)
            and all(status(a) == ProcessingStatus.READY for a in assets)
            and Event.objects.count() == 10
        ),
        "everything after the restart",
        *started,
        tick=beat,
    )
    # The connections cut under the running workers: a publish gets a new one at once.
    rabbitmqctl("close_all_connections", "-p", amqp.rsplit("/", 1)[1], "test")
    beacons(client, before, 5)
    events_flush.apply_async()  # retried on a fresh connection, not raised
    wait_for(lambda: Event.objects.count() == 15, "a flush after the cut", *started)
    assert len(push.received) == 2 and len({p["id"] for p in push.received}) == 2
    for asset in assets:
        assert MediaAsset.objects.get(pk=asset.pk).renditions.count() == 2
    assert Event.objects.values("event_id").distinct().count() == 15
    assert beacon_buffer.length() == 0 and beacon_buffer.in_flight() == 0


def _depths_or_none():
    from config.metrics import queue_depths

    try:
        return queue_depths(["celery", "media"])
    except Exception:  # the broker still starting
        return None
