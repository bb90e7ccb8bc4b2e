"""Storm day (run by hand, never in tests): 500 concurrent readers on the home page and one
hot story, through the shipped nginx site on loopback (deploy/loopback.py, self-signed
TLS, the page cache as shipped), while an editor publishes three updates to the story
through Wagtail's publish path (`save_revision().publish()` in a `manage.py shell`).

wrk (-c 500, a Lua script alternating the two pages and counting the answers) makes the
load; a poller, an anonymous reader asking for the story every 0.2 s, records when each
update's marker first appears. Reports errors (socket errors and non-2xx), p50/p99 latency
and each update's time to readers against the targets of issue 12 (zero errors, p99 under
500 ms, each update visible within 5 s). The story's title is restored at the end.
The editor's publish asks nginx to refetch the story and its listings (the page cache's
refresh, docs/deploy.md), as production's HOITU_PAGE_CACHE_REFRESH_URLS does;
`--no-refresh` leaves readers with the 5 s expiry only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/storm_day.py [--seconds 300] [--json bench/results/storm_day.json]

gunicorn runs with deploy/gunicorn.conf.py's worker count (2 x cores + 1) unless --workers.
"""

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchkit import errors_count, load_arguments, status_counts, status_lua, to_ms, wrk
from deploykit import (
    PY,
    REFRESH_KEY,
    ROOT,
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

EDITOR_CODE = r"""
import json, sys, time
from wagtail.models import Page
print("ready", flush=True)
for line in sys.stdin:
    page_id, title = json.loads(line)
    page = Page.objects.get(pk=page_id).specific
    page.title = title
    page.save_revision().publish()
    print(time.time(), flush=True)
"""


class Editor:
    """One `manage.py shell` that publishes on demand (started once: on a busy machine a
    new shell takes tens of seconds to start, which would shift the schedule)."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [PY, "manage.py", "shell", "-c", EDITOR_CODE],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        while self.process.stdout.readline().strip() != "ready":
            if self.process.poll() is not None:
                raise SystemExit("the editor's shell did not start")

    def publish(self, page_id: int, title: str) -> float:
        """Publishes a new title the way the admin does; returns when it committed."""
        self.process.stdin.write(json.dumps([page_id, title]) + "\n")
        self.process.stdin.flush()
        while True:  # production logs JSON lines on stdout too
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("the editor's shell exited")
            try:
                return float(line)
            except ValueError:
                continue

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    parser.set_defaults(seconds=300, connections=500, workers=0)
    parser.add_argument("--updates", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-refresh", action="store_true")
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

    editor_env = env
    if not args.no_refresh:
        editor_env = dict(
            env,
            HOITU_PAGE_CACHE_REFRESH_URLS=f"https://127.0.0.1:{site.https_port}",
            HOITU_PAGE_CACHE_REFRESH_KEY=REFRESH_KEY,
            HOITU_PAGE_CACHE_REFRESH_VERIFY="0",  # the loopback certificate is self-signed
        )
    editor = Editor(editor_env)

    def edit():
        for n in range(args.updates):
            # Even intervals from the start of the load, whatever a publish took.
            time.sleep(max(0, started + (n + 1) * args.seconds / (args.updates + 1) - time.time()))
            marker = f"cap-nhat-{n + 1}-{uuid.uuid4().hex[:6]}"
            published = editor.publish(story["id"], f"{original} ({marker})")
            updates.append({"n": n + 1, "marker": marker, "published": published})
            print(f"  update {n + 1} published at +{published - started:.1f} s", flush=True)

    try:
        site.start()
        for place in (home, story):
            warm(site, place)
        started = time.time()
        threads = [
            threading.Thread(target=poll, daemon=True),
            threading.Thread(target=edit, daemon=True),
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
            editor.publish(story["id"], original)
            editor.close()
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
