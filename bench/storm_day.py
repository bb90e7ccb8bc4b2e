"""Storm day (run by hand, never in tests): 500 concurrent readers on the home page and one
hot story, through the shipped nginx site on loopback (deploy/loopback.py, self-signed
TLS, the page cache as shipped), while an editor publishes three updates to the story
through Wagtail's publish path (`save_revision().publish()` in a `manage.py shell`).

wrk (-c 500, a Lua script alternating the two pages and counting the answers) makes the
load; a poller, an anonymous reader asking for the story every 0.2 s, records when each
update's marker first appears. Reports errors (socket errors and non-2xx), p50/p99 latency
and each update's time to readers against the targets of issue 12 (zero errors, p99 under
500 ms, each update visible within 5 s). The story's title is restored at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/storm_day.py [--seconds 300] [--json bench/results/storm_day.json]

gunicorn runs with deploy/gunicorn.conf.py's worker count (2 x cores + 1) unless --workers.
"""

import json
import resource
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchkit import errors_count, load_arguments, status_counts, status_lua, to_ms, wrk
from deploykit import (
    Nginx,
    django_env,
    fetch,
    free_port,
    gunicorn,
    manage,
    places,
    prepare,
    stop_all,
    warm,
    write_json,
)

PUBLISH_CODE = r"""
import time
from wagtail.models import Page
page = Page.objects.get(pk=%d).specific
page.title = %r
page.save_revision().publish()
print(time.time())
"""


def publish(env, page_id: int, title: str) -> float:
    """Publishes a new title the way the admin does; returns when the publish committed."""
    out = manage(env, "shell", "-c", PUBLISH_CODE % (page_id, title), capture=True).stdout
    return float(out.strip().splitlines()[-1])


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    parser.set_defaults(seconds=300, connections=500, workers=0)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # ulimit -n for wrk and nginx
    env = django_env(DJANGO_SECURE_SSL_REDIRECT="1")
    prepare(env)
    where = places(env)
    story, home = where["story"], where["home"]
    assert story["host"] == home["host"]
    original = json.loads(
        manage(
            env,
            "shell",
            "-c",
            f"import json; from wagtail.models import Page; "
            f"print(json.dumps(Page.objects.get(pk={story['id']}).specific.title))",
            capture=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    tmp = Path(tempfile.mkdtemp(prefix="hoitu-storm-"))
    lua = tmp / "storm.lua"
    lua.write_text(status_lua([home["path"], story["path"]]))
    app_port = free_port()
    procs = [gunicorn(env, app_port, args.workers or None)]
    site = Nginx(
        tmp / "nginx", app_port, worker_processes=2, worker_connections=8192, access_log=False
    )
    updates = []
    result = {}
    stop_polling = threading.Event()

    def poll():
        """An anonymous reader refreshing the story; notes when each marker appears."""
        while not stop_polling.is_set():
            try:
                body = fetch(site.url(story["path"]), story["host"], timeout=10)[2]
            except OSError:
                body = ""
            now = time.time()
            for update in updates:
                if "seen" not in update and update["marker"] in body:
                    update["seen"] = now
                    update["visible_after_s"] = round(now - update["published"], 2)
            time.sleep(0.2)

    def editor():
        for n in range(args.updates):
            time.sleep(args.seconds / (args.updates + 1))
            marker = f"cap-nhat-{n + 1}-{uuid.uuid4().hex[:6]}"
            published = publish(env, story["id"], f"{original} ({marker})")
            updates.append({"n": n + 1, "marker": marker, "published": published})
            print(f"  update {n + 1} published at +{published - started:.1f} s", flush=True)

    try:
        site.start()
        for place in (home, story):
            warm(site, place)
        started = time.time()
        threads = [
            threading.Thread(target=poll, daemon=True),
            threading.Thread(target=editor, daemon=True),
        ]
        for t in threads:
            t.start()
        figures, out = wrk(
            site.url("/"),
            seconds=args.seconds,
            connections=args.connections,
            threads=args.threads,
            extra=["-H", f"Host: {story['host']}", "-H", "Accept-Encoding: gzip", "-s", str(lua)],
        )
        threads[1].join(timeout=60)
        # Let the last update reach readers (the poller keeps going a little past the load).
        deadline = time.time() + 15
        while time.time() < deadline and any("seen" not in u for u in updates):
            time.sleep(0.2)
        stop_polling.set()
        threads[0].join(timeout=15)
        figures.update(status_counts(out))
        result.update(wrk=figures)
    finally:
        stop_polling.set()
        try:
            publish(env, story["id"], original)
        finally:
            site.stop()
            stop_all(procs)
            shutil.rmtree(tmp, ignore_errors=True)
    p99_ms = to_ms(figures["p99"])
    errors = figures["other"] + errors_count(figures["errors"])
    visible = [u.get("visible_after_s") for u in updates]
    checks = {
        "zero errors": errors == 0,
        "p99 < 500 ms": p99_ms < 500,
        "each update within 5 s": len(visible) == args.updates
        and all(v is not None and v <= 5 for v in visible),
    }
    result.update(
        seconds=args.seconds,
        connections=args.connections,
        workers=args.workers or "gunicorn.conf default",
        updates=updates,
        errors=errors,
        checks=checks,
    )
    print(
        f"\nstorm day: {args.connections} readers x {args.seconds} s: {figures['rps']:.0f} req/s, "
        f"{figures['requests']} requests, {figures['ok']} 200, {figures['other']} other, "
        f"socket errors: {figures['errors'] or 'none'}; p50 {figures['p50']}, p99 {figures['p99']}"
    )
    print("updates visible after (s): " + ", ".join(str(v) for v in visible))
    for name, passed in checks.items():
        print(f"  {name}: {'PASS' if passed else 'MISS'}")
    write_json(args.json, result)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
