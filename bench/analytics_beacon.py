"""Beacon ingestion benchmark (run by hand, never in tests).

Starts, on ephemeral ports of 127.0.0.1:
  * nginx answering 204 to POST /a/collect (the plain-HTTP floor of earlier runs),
  * the shipped nginx site (deploy/nginx/hoitu.conf through deploy/loopback.py, TLS, access
    log off) with one extra `location = /a/floor { return 204; }`: the floor through the
    same nginx, TLS included,
  * the beacon server behind it as hoitu-beacon.service runs it (granian, config.asgi),
    gunicorn (sync workers, config.wsgi) as nginx's backup, the Redis buffer,
  * one Celery worker writing the batches to PostgreSQL,
then drives them in the same run with wrk (POST of a valid page view): nginx's 204s, the
beacon through nginx, and the beacon server alone. It reports requests/s, p50/p99, the
beacon server's CPU per beacon and memory, and, after draining the buffer, that every 204
became exactly one row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/analytics_beacon.py --seconds 20 --connections 32

--beacon-workers sets granian's processes, --loop its event loop (uvloop, as the unit;
asyncio); --gunicorn-only sends the beacon to gunicorn as before the beacon server
(nginx's fallback, measured directly); --without-fast-path serves it through Django's
whole stack (with --gunicorn-only).

Needs nginx and wrk (scripts/install-system-deps.sh --bench). The database is migrated and
the demo loaded if needed (use a database of its own: the events table grows).
"""

import json
import os
import shutil
import ssl
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
sys.path.insert(0, str(ROOT))
from deploy import loopback  # noqa: E402

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
    # Behind nginx, as in production (which refuses to start without it).
    env.setdefault("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
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


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (granian's workers), from /proc."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").iterdir():
            children = (task / "children").read_text().split()
            pids += [int(c) for c in children]
        i += 1
    return pids


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    total = 0
    for p in tree(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


FLOOR_LOCATION = "    location = /a/floor {\n        return 204;\n    }\n\n"


def site_with_floor() -> str:
    """The shipped site, plus nginx's own 204 in its TLS server (the floor behind TLS)."""
    text = loopback.SITE.read_text()
    anchor = "    # The beacon: never cached"
    if anchor not in text:
        raise SystemExit("deploy/nginx/hoitu.conf changed: update site_with_floor()")
    return text.replace(anchor, FLOOR_LOCATION + anchor, 1)


def warm(url: str, count: int):
    """Every worker has loaded the app before the clock starts (a body that is not JSON:
    400, nothing stored)."""
    context = ssl._create_unverified_context()  # the loopback site's self-signed certificate
    for _ in range(count):
        request = urllib.request.Request(url, data=b"warm-up", method="POST")
        try:
            urllib.request.urlopen(request, timeout=120, context=context)
        except urllib.error.HTTPError as error:
            assert error.code == 400, error.code


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--beacon-workers", type=int, default=2, help="granian processes (the unit's 2)"
    )
    parser.add_argument("--loop", default="uvloop", help="granian's event loop (the unit's)")
    parser.add_argument(
        "--gunicorn-only", action="store_true", help="the beacon to gunicorn (no beacon server)"
    )
    parser.add_argument(
        "--without-fast-path", action="store_true", help="gunicorn: the whole stack"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is not installed")
    env = django_env()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_initial_data", "--once", "-v0")
    page, site, host = shell(
        env,
        "from newsroom.models import StoryPage; s = StoryPage.objects.live().order_by('pk')"
        ".first(); print(s.pk, s.get_site().pk, s.get_site().hostname)",
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
            headers={"Content-Type": "text/plain", "User-Agent": UA, "Host": host},
        )
    )
    floor_lua = tmp / "floor.lua"
    floor_lua.write_text(lua.read_text().replace('"/a/collect"', '"/a/floor"'))
    procs, site_nginx, results = [], None, {}
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
        beacon = None
        beacon_port = None
        if not args.gunicorn_only:
            beacon_port = free_port()
            # What hoitu-beacon.service runs, on this port.
            beacon = subprocess.Popen(
                [PY, "-m", "granian", "--interface", "asgi", "--no-ws", "--log-level", "warning"]
                + ["--host", "127.0.0.1", "--port", str(beacon_port)]
                + ["--workers", str(args.beacon_workers), "--loop", args.loop]
                + ["config.asgi:application"],
                cwd=ROOT,
                env=env,
            )
            procs.append(beacon)
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
        site_nginx = loopback.Nginx(
            tmp / "site",
            app_port,
            beacon_port=beacon_port,
            worker_processes=1,
            worker_connections=1024,
            access_log=False,
            site_text=site_with_floor(),
        )
        site_nginx.start()
        for port in (nginx_port, app_port, beacon_port):
            if port:
                wait_port(port, timeout=300)  # Django's start-up on a loaded machine
        if beacon_port:
            warm(f"http://127.0.0.1:{beacon_port}/a/collect", args.beacon_workers * 3)
        warm(f"http://127.0.0.1:{app_port}/a/collect", args.workers * 3)
        run = dict(seconds=args.seconds, connections=args.connections, threads=args.threads)
        results["floor"] = run_wrk(f"http://127.0.0.1:{nginx_port}/a/collect", lua, **run)
        results["site_floor"] = run_wrk(site_nginx.url("/a/floor"), floor_lua, **run)
        cpu = cpu_seconds(beacon.pid) if beacon else 0.0
        results["beacon"] = run_wrk(site_nginx.url("/a/collect"), lua, **run)
        if beacon:
            results["beacon"]["cpu_ms"] = (
                1000 * (cpu_seconds(beacon.pid) - cpu) / max(results["beacon"]["requests"], 1)
            )
            results["beacon"]["rss_mib"] = rss_mib(beacon.pid)
            results["direct"] = run_wrk(f"http://127.0.0.1:{beacon_port}/a/collect", lua, **run)
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
        if site_nginx:
            site_nginx.stop()
        stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)
    stored = after - before
    accepted = sum(r["accepted"] for k, r in results.items() if k in ("beacon", "direct"))
    names = {
        "floor": "nginx 204, plain HTTP",
        "site_floor": "nginx 204, shipped site (TLS)",
        "beacon": "beacon through the site" + (" (gunicorn)" if args.gunicorn_only else ""),
        "direct": "beacon server alone (HTTP)",
    }
    for key, label in names.items():
        if key in results:
            r = results[key]
            line = f"{label:31}: {r['rps']:9.0f} req/s  p50 {r['p50']:>8}  p99 {r['p99']:>8}"
            if key in ("beacon", "direct"):
                line += f"  ({r['accepted']} 204, {r['other']} other)"
            print(line)
    if "cpu_ms" in results["beacon"]:
        print(
            f"beacon server: {results['beacon']['cpu_ms']:.3f} ms CPU per beacon through nginx,"
            f" {results['beacon']['rss_mib']:.0f} MiB resident ({args.beacon_workers} worker(s))"
        )
    # wrk stops counting at the deadline (and after its --timeout) while the server still
    # answers those requests: they are stored too, so stored >= counted is zero loss.
    verdict = "ZERO LOSS" if stored >= accepted else "LOSS"
    print(
        f"stored events: {stored} for {accepted} 204s counted by wrk "
        f"(+{stored - accepted} answered after wrk stopped counting) -> {verdict}"
    )
    ratio = results["beacon"]["rps"] / results["site_floor"]["rps"]
    plain = results["beacon"]["rps"] / results["floor"]["rps"]
    print(
        f"beacon / nginx 204, same site: {ratio:.1%} (target {TARGET:.0%}): "
        + ("PASS" if ratio >= TARGET else "MISS")
        + f"; vs plain-HTTP nginx 204: {plain:.1%}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    **results,
                    "stored": stored,
                    "ratio": ratio,
                    "ratio_plain": plain,
                    "workers": args.workers,
                    "beacon_workers": args.beacon_workers,
                    "seconds": args.seconds,
                    "connections": args.connections,
                },
                indent=1,
            )
        )
    return 0 if stored >= accepted and ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
