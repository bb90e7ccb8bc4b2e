"""Breaking-news push sending benchmark (run by hand, never in tests): N browser
subscriptions of the default outlet receive one alert through `services.alert_start` and
`services.batch_send`, the code the Celery tasks run, over HTTP to the tests' imitation
push service (tests/push/service.py, in a process of its own on 127.0.0.1: it checks every
VAPID signature and decrypts every message), answering after --latency-ms as a push
service across the Internet does. Prints copies per second, the sending process's CPU
per copy (VAPID signing, ECDH + HKDF + AES-GCM per browser, the request, the database),
and checks that every browser got exactly one message.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/push_send.py --subscriptions 1000 --latency-ms 100 [--concurrency 16]

The database needs the demo (`load_initial_data --once`). The bench's subscriptions and
alert are deleted at the end.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVICE = r"""
import json, sys, time
from tests.push import service as imitation
push = imitation.start(sys.argv[1])
push.latency_seconds = float(sys.argv[3]) / 1000
for i in range(int(sys.argv[2])):
    b = push.browser(f"bench-{i}")
    print(json.dumps(b.subscription(push)), flush=True)
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps({"received": [m["browser"] for m in push.received],
                  "rejected": len(push.rejected)}), flush=True)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    from newsroom.models import StoryPage
    from push import services
    from push.models import Alert, Subscription

    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    if args.concurrency:
        settings.PUSH_CONCURRENCY = args.concurrency
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVICE,
            settings.HOITU_VAPID_PUBLIC_KEY,
            str(args.subscriptions),
            str(args.latency_ms),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    subscriptions = []
    for line in server.stdout:
        if line.strip() == "ready":
            break
        subscriptions.append(json.loads(line))
    site = Site.objects.get(is_default_site=True)
    story = StoryPage.objects.live().descendant_of(site.root_page).first()
    Subscription.objects.bulk_create(
        [
            Subscription(
                site=site,
                endpoint=s["endpoint"],
                p256dh=s["keys"]["p256dh"],
                auth=s["keys"]["auth"],
            )
            for s in subscriptions
        ]
    )
    alert = Alert.objects.create(
        site=site,
        story=story,
        title="Bench: bão số 5",
        body="Sơ tán người dân vùng trũng ven biển",
        url=story.get_full_url(),
        nonce=uuid.uuid4(),
        created_by=get_user_model().objects.filter(is_superuser=True).first(),
    )
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        ids = services.alert_start(alert.pk)
        t1 = time.perf_counter()
        done = collections.Counter()
        for batch in services.batches(ids):
            done.update(services.batch_send(batch))
        t2, cpu = time.perf_counter(), time.process_time() - c0
        server.stdin.write("stop\n")
        server.stdin.flush()
        result = json.loads(server.stdout.readline())
        got = collections.Counter(result["received"])
        print(f"{len(ids):,} delivery rows in {t1 - t0:.2f} s")
        print(
            f"{done['sent']:,} copies sent in {t2 - t1:.1f} s: {done['sent'] / (t2 - t1):,.0f} "
            f"copies/s (batches of {settings.PUSH_BATCH_SIZE}, {settings.PUSH_CONCURRENCY} "
            f"requests in flight, service latency {args.latency_ms:.0f} ms, one process)"
        )
        print(f"CPU of the sending process: {cpu * 1000 / max(done['sent'], 1):.1f} ms per copy")
        expected = {s["endpoint"].rsplit("/", 1)[1] for s in subscriptions}
        print(
            f"every browser exactly once: {set(got) == expected and set(got.values()) == {1}}; "
            f"rejected by the service: {result['rejected']}"
        )
    finally:
        alert.delete()
        Subscription.objects.filter(endpoint__startswith="http://127.0.0.1:").delete()
        server.kill()


if __name__ == "__main__":
    main()
