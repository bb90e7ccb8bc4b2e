"""Outbox publish cost on the reader's request (run by hand, never in tests).

What `outbox.services.enqueue` costs outside a transaction (the row, then the publish),
with the broker reachable (Redis) and with it refused (a closed port), against a plain
`.delay()` with Celery's publish retry policy that the outbox replaced.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> \
    REDIS_URL=redis://127.0.0.1:6379/<n> .venv/bin/python bench/outbox_publish.py -n 200

Rows it writes are deleted afterwards; the messages it sends to Redis name rows that no
longer exist (a worker would find nothing to do); the queue of REDIS_URL is purged.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.mean(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    options = parser.parse_args()
    import django

    django.setup()
    from config.celery import app
    from outbox.models import OutboxMessage
    from outbox.services import enqueue
    from paywall.tasks import send_reader_mail

    live = os.environ["REDIS_URL"]
    app.conf.task_always_eager = False
    first = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def use(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    def outbox():
        enqueue(send_reader_mail, "Tiêu đề", "Nội dung", "ban.doc@example.vn")

    try:
        for name, url in (("redis up", live), ("broker refused", "redis://127.0.0.1:1/0")):
            use(url)
            mean, p99 = timed(outbox, options.n)
            print(f"outbox enqueue, {name:15}: mean {mean:7.2f} ms  p99 {p99:7.2f} ms")
        use("redis://127.0.0.1:1/0")
        mean, p99 = timed(lambda: _plain_delay(send_reader_mail), max(1, min(options.n, 3)))
        print(f"plain .delay(), broker refused: mean {mean:7.2f} ms  p99 {p99:7.2f} ms")
    finally:
        OutboxMessage.objects.filter(pk__gt=first).delete()
        use(live)
        app.control.purge()


def _plain_delay(task):
    try:
        task.delay("Tiêu đề", "Nội dung", "ban.doc@example.vn")
    except Exception:  # noqa: BLE001 - what the reader got: a 500
        pass


if __name__ == "__main__":
    main()
