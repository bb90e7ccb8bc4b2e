"""Beacon ingestion benchmark (run by hand, never in tests).

Starts, on ephemeral ports of 127.0.0.1:
  * nginx answering 204 to POST /a/collect (the floor: what the machine can do at all),
  * the project under gunicorn (sync workers) with the Redis buffer,
  * one Celery worker writing the batches to PostgreSQL,
then drives both with wrk (POST of a valid page view) and reports requests/s and p99.
Afterwards it drains the buffer and checks that every 204 became exactly one row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/analytics_beacon.py --seconds 20 --connections 32

gunicorn's options can be tried through its own GUNICORN_CMD_ARGS (for example
"--worker-class gthread --threads 2 --keep-alive 5"); --without-fast-path serves the beacon
through Django's whole stack for comparison.

Needs gunicorn (`pip install -e '.[bench]'`), nginx and wrk. The database is migrated and
the demo loaded if needed (use a database of its own: the events table grows).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchkit import free_port, load_arguments, status_counts, status_lua, stop, wait_port, wrk

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
# Issue 12: the app's beacon at least this share of nginx answering 204, same run.
TARGET = 0.05


def django_env() -> dict:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            raise SystemExit(f"{name} must be set (PostgreSQL and Redis, as in production).")
    env["DJANGO_SETTINGS_MODULE"] = "analytics_bench_settings"
    env["PYTHONPATH"] = f"{ROOT / 'bench'}:{ROOT}"
    return env


def manage(env, *args, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def shell(env, code: str) -> str:
    return manage(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()[-1]


def run_wrk(url, lua_path, seconds, connections, threads):
    figures, out = wrk(
        url, seconds=seconds, connections=connections, threads=threads, extra=["-s", str(lua_path)]
    )
    if figures["errors"]:
        print("wrk socket errors:", figures["errors"])
    counts = status_counts(out)
    figures["accepted"], figures["other"] = counts["ok"], counts["other"]
    return figures


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--without-fast-path", action="store_true", help="beacon through the whole stack"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is not installed")
    env = django_env()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_initial_data", "--once", "-v0")
    page, site = shell(
        env,
        "from newsroom.models import StoryPage; s = StoryPage.objects.live().order_by('pk')"
        ".first(); print(s.pk, s.get_site().pk)",
    ).split()
    before = int(shell(env, "from analytics.models import Event; print(Event.objects.count())"))
    tmp = Path(tempfile.mkdtemp(prefix="hoitu-bench-"))
    lua = tmp / "post.lua"
    lua.write_text(
        status_lua(
            ["/a/collect"],
            method="POST",
            body=json.dumps({"k": "pageview", "p": int(page), "s": int(site)}),
            ok=204,
            headers={"Content-Type": "text/plain", "User-Agent": UA},
        )
    )
    procs = []
    try:
        nginx_port = free_port()
        (tmp / "nginx.conf").write_text(
            f"""
worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {tmp}; proxy_temp_path {tmp};
  fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{nginx_port}; location / {{ return 204; }} }} }}
"""
        )
        procs.append(
            subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
        )
        app_port = free_port()
        procs.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "gunicorn",
                    # Django alone, without analytics/fastpath.py, for the comparison.
                    "django.core.wsgi:get_wsgi_application()"
                    if args.without_fast_path
                    else "config.wsgi",
                    "-b",
                    f"127.0.0.1:{app_port}",
                    "-w",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-c",
                    "1",
                    "-P",
                    "solo",
                    "--loglevel",
                    "warning",
                    "-n",
                    f"bench-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_port(nginx_port)
        wait_port(app_port)
        # Every worker has loaded the app before the clock starts (a body that is not JSON:
        # 400, nothing stored).
        for _ in range(args.workers * 3):
            request = urllib.request.Request(
                f"http://127.0.0.1:{app_port}/a/collect", data=b"warm-up", method="POST"
            )
            try:
                urllib.request.urlopen(request, timeout=120)
            except urllib.error.HTTPError as error:
                assert error.code == 400, error.code
        floor = run_wrk(
            f"http://127.0.0.1:{nginx_port}/a/collect",
            lua,
            args.seconds,
            args.connections,
            args.threads,
        )
        app = run_wrk(
            f"http://127.0.0.1:{app_port}/a/collect",
            lua,
            args.seconds,
            args.connections,
            args.threads,
        )
        # Drain: what beat would do; then count rows.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            left = shell(
                env,
                "from analytics import buffer, services; services.events_flush();"
                " print(buffer.length() + buffer.in_flight())",
            )
            if left == "0":
                break
            time.sleep(1)
        after = int(shell(env, "from analytics.models import Event; print(Event.objects.count())"))
    finally:
        stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)
    stored = after - before
    print(
        f"nginx 204 floor : {floor['rps']:9.0f} req/s  p50 {floor['p50']:>8}  p99 {floor['p99']:>8}"
    )
    print(
        f"/a/collect      : {app['rps']:9.0f} req/s  p50 {app['p50']:>8}  p99 {app['p99']:>8}"
        f"  ({app['accepted']} accepted, {app['other']} refused)"
    )
    # wrk stops counting at the deadline (and after its --timeout) while the server still
    # answers those requests: they are stored too, so stored >= counted is zero loss.
    verdict = "ZERO LOSS" if stored >= app["accepted"] else "LOSS"
    print(
        f"stored events   : {stored} for {app['accepted']} 204s counted by wrk "
        f"(+{stored - app['accepted']} answered after wrk stopped counting) -> {verdict}"
    )
    ratio = app["rps"] / floor["rps"]
    print(
        f"beacon / nginx 204: {ratio:.1%} (target {TARGET:.0%}): "
        + ("PASS" if ratio >= TARGET else "MISS")
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "floor": floor,
                    "app": app,
                    "stored": stored,
                    "ratio": ratio,
                    "workers": args.workers,
                    "seconds": args.seconds,
                    "connections": args.connections,
                },
                indent=1,
            )
        )
    return 0 if stored >= app["accepted"] and ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
