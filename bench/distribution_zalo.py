"""Benchmark (run by hand, never in tests): deliveries to the Zalo OA fake with one
Celery worker (concurrency 1) on Redis.

1. Publish → delivered latency (median, p95) of stories published one at a time.
2. Throughput of 1,000 deliveries while the fake fails 30% of calls at random.
3. Peak resident memory of the worker (VmHWM of its processes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/distribution_zalo.py

Use a database and a Redis DB of your own: the script migrates, loads the demo once, and
consumes the default Celery queue of that Redis DB."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# The worker inherits these: short timeouts and fast retries so the run takes minutes.
os.environ.setdefault("DISTRIBUTION_HTTP_TIMEOUT", "0.5")
os.environ.setdefault("DISTRIBUTION_RETRY_BASE_SECONDS", "0.2")
os.environ.setdefault("DISTRIBUTION_MAX_ATTEMPTS", "30")
os.environ.setdefault("DISTRIBUTION_ZALO_VERIFY_INTERVAL", "0.05")
# A create whose answer was lost is looked for after this wait (120 s in production); the
# fake answers or gives up within 1.5 s, so 3 s is enough here.
os.environ.setdefault("DISTRIBUTION_ZALO_SETTLE_SECONDS", "3")

LATENCY_STORIES = int(os.environ.get("BENCH_LATENCY_STORIES", "40"))
THROUGHPUT_DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "1000"))
FAIL_RATE = float(os.environ.get("BENCH_FAIL_RATE", "0.3"))


def peak_rss_kib(pid: int) -> int:
    """Largest VmHWM among the worker's process and its children."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    peak = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return peak


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def main() -> None:
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL and REDIS_URL (PostgreSQL and a Redis DB of your own).")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    call_command("load_initial_data", "--once", verbosity=0)

    from distribution.models import Delivery, DeliveryAction, DeliveryState, Platform
    from distribution.tasks import deliver
    from newsroom.models import Agency, StoryPage
    from tests.distribution.conftest import agency_stories, make_zalo_platform
    from tests.distribution.fakes import ZaloFake

    agency = Agency.objects.get(slug="baothanhhoa")
    Platform.objects.filter(name__startswith="Bench Zalo").delete()
    Platform.objects.filter(agency=agency, enabled=True).update(enabled=False)
    fake = ZaloFake(fail_rate=0.0, polls_before_ready=1)
    fake.timeout_sleep = 0.8
    with fake:
        platform = make_zalo_platform(agency, fake, name="Bench Zalo")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-c",
                "1",
                "-P",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        try:
            time.sleep(4)  # worker start-up
            # 1. latency, one story at a time
            stories = list(agency_stories(agency)[:LATENCY_STORIES])
            latencies = []
            for story in stories:
                story = StoryPage.objects.get(pk=story.pk)
                started = time.perf_counter()
                with transaction.atomic():
                    story.save_revision().publish()
                ok = wait_until(
                    lambda s=story: Delivery.objects.filter(
                        story=s, platform=platform, state=DeliveryState.DELIVERED
                    ).exists(),
                    timeout=30,
                    interval=0.01,
                )
                if not ok:
                    sys.exit(f"Story {story.pk} was not delivered within 30 s")
                latencies.append(time.perf_counter() - started)
            latencies.sort()
            p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
            print(
                f"publish→delivered, {len(latencies)} stories, 1 worker: "
                f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
            )

            # 2. throughput with injected failures
            fake.fail_rate = FAIL_RATE
            pool = list(agency_stories(agency))
            now = time.time()
            rows = [
                Delivery(
                    story=pool[i % len(pool)],
                    platform=platform,
                    action=DeliveryAction.UPDATE,
                    idempotency_key=f"bench:{now}:{i}",
                )
                for i in range(THROUGHPUT_DELIVERIES)
            ]
            created = Delivery.objects.bulk_create(rows)
            started = time.perf_counter()
            for row in created:
                deliver.delay(row.pk)
            ids = [r.pk for r in created]

            def all_done():
                return not Delivery.objects.filter(
                    pk__in=ids,
                    state__in=[
                        DeliveryState.PENDING,
                        DeliveryState.SENDING,
                        DeliveryState.RETRYING,
                    ],
                ).exists()

            if not wait_until(all_done, timeout=3600, interval=0.5):
                sys.exit("Throughput run did not finish within an hour")
            elapsed = time.perf_counter() - started
            done = Delivery.objects.filter(pk__in=ids)
            delivered = done.filter(state=DeliveryState.DELIVERED).count()
            retried = sum(1 for d in done.only("attempts") if d.attempts > 1)
            calls = len(fake.log)
            print(
                f"{THROUGHPUT_DELIVERIES} deliveries, {FAIL_RATE:.0%} injected failures: "
                f"{elapsed:.1f} s, {THROUGHPUT_DELIVERIES / elapsed:.1f} deliveries/s; "
                f"{delivered} delivered, {retried} needed a retry, {calls} API calls logged"
            )
            print(
                f"articles on the fake: {len(fake.articles)} (one per story: "
                f"{len(fake.articles) == len({d.story_id for d in Delivery.objects.filter(platform=platform)})})"
            )
            print(f"peak worker memory (VmHWM): {peak_rss_kib(worker.pid) / 1024:.0f} MiB")
        finally:
            worker.terminate()
            worker.wait(30)
            Platform.objects.filter(pk=platform.pk).delete()


if __name__ == "__main__":
    main()
