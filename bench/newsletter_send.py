"""Newsletter sending benchmark (run by hand, never in tests): N confirmed subscribers
(a tenth of them with an account that has a subscription, so they get the subscriber
copy) receive one digest of the demo's stories through `services.edition_start` and
`services.batch_send`, the code the Celery tasks run, over real SMTP to an aiosmtpd
server on 127.0.0.1 that accepts everything. Prints copies per second, the sizes of the
two kinds of copy, and checks that every subscriber got exactly one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench \
        .venv/bin/python bench/newsletter_send.py --subscribers 2000

The database needs the demo (`load_initial_data --once` is run first). The bench's
subscribers, accounts and edition are deleted at the end.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODE = r"""
import collections, datetime, json, time
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site
from newsletters import services
from newsletters.models import Delivery, Edition, Subscriber, SubscriberStatus
from newsroom.models import StoryPage
from paywall.models import Plan, Subscription, SubscriptionStatus

N = {subscribers}


settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", {port}
site = Site.objects.get(is_default_site=True)
digest = services.newsletters_for_site(site).get(section=None)
User = get_user_model()
plan = Plan.objects.filter(site=site).first()
now = timezone.now()
users = User.objects.bulk_create(
    [User(username=f"bench-nl-{{i}}", email=f"bench-nl-{{i}}@example.vn") for i in range(0, N, 10)]
)
Subscription.objects.bulk_create([
    Subscription(user=u, site=site, plan=plan, status=SubscriptionStatus.ACTIVE,
                 starts_at=now, ends_at=now + datetime.timedelta(days=30)) for u in users
])
by_email = {{u.email: u for u in users}}
subs = Subscriber.objects.bulk_create([
    Subscriber(site=site, email=f"bench-nl-{{i}}@example.vn", status=SubscriberStatus.CONFIRMED,
               user=by_email.get(f"bench-nl-{{i}}@example.vn"), confirmed_at=now)
    for i in range(N)
])
Digest = Subscriber.newsletters.through
Digest.objects.bulk_create([Digest(subscriber_id=s.pk, newsletter_id=digest.pk) for s in subs])
stories = list(StoryPage.objects.live().descendant_of(site.root_page)
               .order_by("-first_published_at")[:8])
day = datetime.date(2000, 1, 1)
Edition.objects.filter(newsletter=digest, date=day).delete()
edition = services.edition_build(digest, day, stories=stories)
t0 = time.perf_counter()
c0 = time.process_time()
ids = services.edition_start(edition.pk)
t1 = time.perf_counter()
done = collections.Counter()
for batch in services.batches(ids):
    done.update(services.batch_send(batch))
t2 = time.perf_counter()
cpu = time.process_time() - c0
print("sent", flush=True)
sink = json.loads(input())  # the SMTP server's counts, once it stopped (main())
rcpt = collections.Counter(sink["rcpt"])
bench = [e for e in rcpt if e.startswith("bench-nl-")]
print(f"{{len(ids):,}} delivery rows in {{t1 - t0:.2f}} s")
print(f"{{done['sent']:,}} copies sent in {{t2 - t1:.1f}} s: {{done['sent'] / (t2 - t1):,.0f}} copies/s "
      f"(batches of {{settings.NEWSLETTER_BATCH_SIZE}}, one process, one SMTP connection per batch)")
print(f"CPU of the sending process: {{cpu * 1000 / max(done['sent'], 1):.1f}} ms per copy "
      f"(a core would send about {{max(done['sent'], 1) / cpu:,.0f}} copies/s if nothing else ran)")
paid = Delivery.objects.filter(edition=edition, subscriber_edition=True).count()
print(f"subscriber copies: {{paid:,}}; message size {{min(sink['sizes']):,}}-{{max(sink['sizes']):,}} bytes")
print(f"bench subscribers reached: {{len(bench):,}} of {{N:,}}; more than one copy: "
      f"{{sum(1 for e in bench if rcpt[e] > 1)}}")
edition.delete()
Subscriber.objects.filter(email__startswith="bench-nl-").delete()
Subscription.objects.filter(user__username__startswith="bench-nl-").delete()
User.objects.filter(username__startswith="bench-nl-").delete()
"""

# The SMTP server runs in a process of its own: in the sending process its thread would
# wait for the GIL at every SMTP command and the figure would measure that instead.
SERVER = r"""
import collections, json, signal, sys, threading
from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.rcpt = collections.Counter(); self.sizes = []
    async def handle_DATA(self, server, session, envelope):
        self.rcpt.update(envelope.rcpt_tos); self.sizes.append(len(envelope.content))
        return "250 OK"


sink = Sink()
controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.readline()
controller.stop()
print(json.dumps({"rcpt": sink.rcpt, "sizes": sink.sizes or [0]}), flush=True)
"""


def main():
    sys.path.insert(0, str(ROOT / "bench"))
    from benchkit import free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    args = parser.parse_args()
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must point to PostgreSQL.")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "load_initial_data", "--once", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [py, "-c", SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout.readline().strip() == "ready"
    code = CODE.format(subscribers=args.subscribers, port=port)
    bench = subprocess.Popen(
        [py, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    # Once the bench says "sent", the server stops and hands its counts to the bench.
    for line in bench.stdout:
        if line.strip() == "sent":
            counts, _ = server.communicate("stop\n")
            bench.stdin.write(counts)
            bench.stdin.close()
            continue
        print(line, end="", flush=True)
    bench.wait()
    if bench.returncode:
        raise SystemExit(bench.returncode)


if __name__ == "__main__":
    main()
