"""Breaking-news push sending benchmark (run by hand, never in tests): N browser
subscriptions of the default outlet receive one alert through `services.alert_start` and
`services.batch_send`, the code the Celery tasks run, over HTTP to the tests' imitation
push service on 127.0.0.1 (tests/push/service.py: it checks every VAPID signature and
decrypts every message). Prints copies per second and the sending thread's CPU per copy
(VAPID signing, ECDH + HKDF + AES-GCM per browser, the HTTP request), and checks that
every browser got exactly one message.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench \\
        .venv/bin/python bench/push_send.py --subscriptions 1000

The database needs the demo (`load_initial_data --once`). The bench's subscriptions and
alert are deleted at the end.
"""

import argparse
import collections
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
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
    from tests.push import service as imitation

    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    push = imitation.start(settings.HOITU_VAPID_PUBLIC_KEY)
    site = Site.objects.get(is_default_site=True)
    story = StoryPage.objects.live().descendant_of(site.root_page).first()
    names = [f"bench-{i}" for i in range(args.subscriptions)]
    Subscription.objects.bulk_create(
        [
            Subscription(
                site=site,
                endpoint=b.subscription(push)["endpoint"],
                p256dh=b.p256dh,
                auth=imitation.b64e(b.auth),
            )
            for b in (push.browser(name) for name in names)
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
        t0, c0 = time.perf_counter(), time.thread_time()
        ids = services.alert_start(alert.pk)
        t1 = time.perf_counter()
        done = collections.Counter()
        for batch in services.batches(ids):
            done.update(services.batch_send(batch))
        t2, cpu = time.perf_counter(), time.thread_time() - c0
        got = collections.Counter(m["browser"] for m in push.received)
        print(f"{len(ids):,} delivery rows in {t1 - t0:.2f} s")
        print(
            f"{done['sent']:,} copies sent in {t2 - t1:.1f} s: {done['sent'] / (t2 - t1):,.0f} "
            f"copies/s (batches of {settings.PUSH_BATCH_SIZE}, one process, one HTTP session "
            "per batch, the imitation service's decryption in threads of the same process)"
        )
        print(f"CPU of the sending thread: {cpu * 1000 / max(done['sent'], 1):.1f} ms per copy")
        print(
            f"every browser exactly once: {sorted(got) == sorted(names) and set(got.values()) == {1}}; "
            f"rejected by the service: {len(push.rejected)}"
        )
    finally:
        alert.delete()
        Subscription.objects.filter(endpoint__startswith=push.origin).delete()
        push.server.shutdown()


if __name__ == "__main__":
    main()
