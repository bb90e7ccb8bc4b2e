"""gunicorn settings of the web service (deploy/systemd/hoitu-web.service, docs/deploy.md).

Every value can be overridden from the environment (HOITU_GUNICORN_*), so one file serves
a 2-core VPS and a larger machine."""

import multiprocessing
import os

# Loopback only: nginx on the same machine is the only client (deploy/nginx/hoitu.conf).
# A second app server behind a remote nginx binds its private address instead.
bind = os.environ.get("HOITU_GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: 2 per core + 1 (gunicorn's rule of thumb for I/O on PostgreSQL/Redis).
workers = int(os.environ.get("HOITU_GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A page that takes longer is killed (and logged) rather than holding a worker: nginx
# serves the cached copy meanwhile (proxy_cache_use_stale timeout).
timeout = int(os.environ.get("HOITU_GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Only threaded/async workers keep a connection open between requests (nginx's upstream
# keepalive); sync workers close each one. Threads (HOITU_GUNICORN_* or GUNICORN_CMD_ARGS
# "--worker-class gthread --threads 2") did not raise the beacon's throughput in
# bench/analytics_beacon.py on 2 cores, so sync stays the default (docs/analytics.md).
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on loopback may set X-Forwarded-Proto (gunicorn's secure scheme headers);
# the client's address is resolved by TRUSTED_PROXIES in Django (config/middleware.py).
forwarded_allow_ips = os.environ.get("HOITU_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to stderr: journald keeps them (Django's own logs are JSON lines there too).
accesslog = "-" if os.environ.get("HOITU_GUNICORN_ACCESS_LOG") == "1" else None
errorlog = "-"
# Temporary files of workers' heartbeats in RAM (PrivateTmp / a read-only /tmp are fine).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def child_exit(server, worker):
    """A dead worker's metric files stop counting (docs/operations.md, multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn 25+ opens a control socket for `gunicornc` at $XDG_RUNTIME_DIR or ~/.gunicorn/
# (one shared path per user: two app servers on a machine collide on it, and the hardened
# unit's home is read-only). Nothing here uses it: systemd reloads with SIGHUP.
control_socket_disable = True
