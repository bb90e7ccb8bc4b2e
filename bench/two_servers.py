"""Two app servers behind one nginx (run by hand, never in tests): one is stopped under load.

Two gunicorns with deploy/gunicorn.conf.py (A and B, each on its own loopback port, as two
machines would be) share PostgreSQL and Redis behind the shipped nginx site rendered for
127.0.0.1 with both in its upstream (deploy/loopback.py). wrk loads the story page with the
page cache bypassed (`Authorization`), so every request reaches an app server, and B is
stopped a third into the run: once gracefully (SIGTERM: gunicorn finishes what it holds)
and once as a machine failure (SIGKILL to the master and every worker). Readers must see
no error: nginx sends a request that fails on B to A (`proxy_next_upstream error timeout`,
`max_fails=1 fail_timeout=5s`). Reports, per variant, the answers that were not 200 and the
socket errors, and what nginx logged about B.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/two_servers.py [--seconds 20] [--json bench/results/two_servers.json]

Shared media (S3-compatible storage) and the broker (RabbitMQ) come from the environment
like in production (docs/deploy.md): set them and both servers use them.
"""

import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchkit import errors_count, load_arguments, status_counts, status_lua, wrk
from deploykit import (
    Nginx,
    django_env,
    free_port,
    gunicorn,
    kill_server,
    places,
    prepare,
    stop_all,
    warm,
    write_json,
)


def main():
    parser = load_arguments(__doc__.splitlines()[0])
    # As many connections as workers in all: load without a queue that would time out.
    parser.set_defaults(workers=2, seconds=20, connections=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = django_env(DJANGO_SECURE_SSL_REDIRECT="1")
    prepare(env)
    story = places(env)["story"]
    tmp = Path(tempfile.mkdtemp(prefix="hoitu-two-"))
    lua = tmp / "status.lua"
    lua.write_text(status_lua([story["path"]]))
    port_a, port_b = free_port(), free_port()
    a = gunicorn(env, port_a, args.workers)
    procs = [a]
    site = Nginx(tmp / "nginx", [port_a, port_b], worker_processes=2, worker_connections=4096)
    results = {}
    try:
        site.start()
        bypass = {"Authorization": "Bearer bench-bypass"}
        for variant, sig in (("SIGTERM", signal.SIGTERM), ("SIGKILL", signal.SIGKILL)):
            b = gunicorn(env, port_b, args.workers)
            procs.append(b)
            # Both answer before the load starts (B has had time to load the app).
            for _ in range(6):
                warm(site, story, bypass)
            log_start = (site.tmp / "hoitu.error.log").stat().st_size
            stopped = {}

            def stop_b(b=b, sig=sig, stopped=stopped):
                stopped["at"] = time.monotonic()
                kill_server(b, sig)

            timer = threading.Timer(args.seconds / 3, stop_b)
            started = time.monotonic()
            timer.start()
            figures, out = wrk(
                site.url(story["path"]),
                seconds=args.seconds,
                connections=args.connections,
                threads=args.threads,
                extra=["-H", f"Host: {story['host']}", "-H", "Authorization: Bearer bench-bypass"]
                + ["-s", str(lua)],
            )
            timer.join()
            b.wait(timeout=60)
            figures.update(status_counts(out))
            log = (site.tmp / "hoitu.error.log").read_bytes()[log_start:].decode(errors="replace")
            figures["nginx_upstream_errors_logged"] = sum(
                1 for line in log.splitlines() if f"127.0.0.1:{port_b}" in line
            )
            figures["stopped_at_s"] = round(stopped["at"] - started, 1)
            figures["failed_for_readers"] = figures["other"] + errors_count(figures["errors"])
            results[variant] = figures
            print(
                f"  B stopped with {variant} at +{figures['stopped_at_s']} s: "
                f"{figures['rps']:.0f} req/s, {figures['ok']} answered 200, "
                f"{figures['other']} other, socket errors: {figures['errors'] or 'none'}, "
                f"p99 {figures['p99']}; nginx logged {figures['nginx_upstream_errors_logged']} "
                f"failures of B (retried on A)",
                flush=True,
            )
    finally:
        site.stop()
        stop_all(procs)
        shutil.rmtree(tmp, ignore_errors=True)
    ok = all(r["failed_for_readers"] == 0 for r in results.values())
    print(
        "readers saw no error when an app server stopped"
        if ok
        else "READERS SAW ERRORS when an app server stopped"
    )
    write_json(args.json, {"workers_each": args.workers, "seconds": args.seconds, **results})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
