"""The production stack on loopback for the benchmarks under bench/: production settings
with fresh secrets, a prepared database (migrated, demo loaded once, static collected),
gunicorn with the shipped deploy/gunicorn.conf.py, and the shipped nginx site rendered for
127.0.0.1 by deploy/loopback.py (self-signed TLS). Imported by the scripts beside it."""

import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from config.secrets_check import SHIPPED_VALUES  # noqa: E402
from deploy.loopback import (  # noqa: E402, F401
    REFRESH_KEY,
    Nginx,
    documented_env,
    free_port,
    wait_for_port,
    with_fresh_secrets,
)
from push.keys import generate_pair  # noqa: E402

PY = sys.executable
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
MEDIA = ROOT / "media-bench"
STATIC = ROOT / "static-collected"


def django_env(**extra) -> dict:
    """Production settings (`config.settings.production`) with secrets of this run only;
    DATABASE_URL and REDIS_URL from the caller's environment."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            raise SystemExit(f"{name} must be set (PostgreSQL and Redis, as in production).")
    # Production refuses the repository's keys: fresh ones for this run.
    env.update({name: secrets.token_urlsafe(32) for name in SHIPPED_VALUES})
    # Production refuses to start without a VAPID pair while web push is on.
    env["HOITU_VAPID_PRIVATE_KEY"], env["HOITU_VAPID_PUBLIC_KEY"] = generate_pair()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DISTRIBUTION_CREDENTIALS_KEY=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="localhost,.localhost,127.0.0.1",
        # Production requires it: nginx (when the run goes through it) is on loopback.
        TRUSTED_PROXIES="127.0.0.1/32",
        # Plain HTTP on loopback: no redirect to https, no HSTS pinned on localhost.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        MEDIA_ROOT=str(MEDIA),
        # No worker: the demo's media transcoding runs in the loading process.
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def database_ensure(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def manage(env, *args, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )


def shell(env, code: str) -> str:
    """The last line `manage.py shell -c code` printed."""
    return manage(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()[-1]


def prepare(env) -> None:
    """Database created and migrated, demo loaded (once), static files collected."""
    database_ensure(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_initial_data", "--once", "--allow-production", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")


PAGES_CODE = r"""
import json
from django.db.models import Q
from newsroom.models import SectionPage, StoryPage
from newsroom.models.broadcast import Channel

def where(page):
    site = page.get_site()
    return {"host": site.hostname, "path": page.get_url_parts()[2], "id": page.pk}

stories = StoryPage.objects.live().order_by("pk")
text = stories.filter(primary_format="text", access_level="free", video__isnull=True,
                      audio__isnull=True).first()
home = text.get_site().root_page
section = SectionPage.objects.live().child_of(home).order_by("pk").first()
tv = stories.filter(video__isnull=False).first()
radio = stories.filter(audio__isnull=False).first()
channel = Channel.objects.filter(kind="tv").exclude(live_url="").first()
print(json.dumps({
    "home": {"host": home.get_site().hostname, "path": "/"},
    "section": where(section),
    "story": where(text),
    "tv_story": where(tv),
    "radio_story": where(radio),
    "search": {"host": home.get_site().hostname, "path": "/tim-kiem/?q=bao"},
    **({"live": {"host": channel.outlet.site.hostname, "path": f"/truc-tiep/{channel.slug}/"}}
       if channel else {}),
}))
"""


def places(env) -> dict:
    """Where the demo's reader pages are: {name: {host, path[, id]}}."""
    return json.loads(shell(env, PAGES_CODE))


def gunicorn(env, port: int, workers: int | None = None) -> subprocess.Popen:
    """gunicorn with the shipped config on 127.0.0.1:port, in a session of its own (so the
    whole server, master and workers, can be signalled as a machine failure would)."""
    extra = {"HOITU_GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        extra["HOITU_GUNICORN_WORKERS"] = str(workers)
    process = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "config.wsgi"],
        cwd=ROOT,
        env={**env, **extra},
        start_new_session=True,
    )
    wait_for_port(port, process, "gunicorn", seconds=90)
    return process


def kill_server(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    """SIGKILL: the master and every worker at once (the machine dies). SIGTERM: gunicorn's
    graceful stop (the requests in flight finish)."""
    if sig == signal.SIGKILL:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.send_signal(sig)


def stop_all(processes) -> None:
    for p in processes:
        if p.poll() is None:
            p.terminate()
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL) if p.pid else p.kill()


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of a gunicorn master's live workers (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    for pid in children.read_text().split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE


def fetch(url: str, host: str, headers=None, timeout: float = 120) -> tuple[int, dict, str]:
    """GET over the loopback TLS (self-signed): status, headers, body."""
    request = urllib.request.Request(url, headers={"Host": host, **(headers or {})})
    try:
        with urllib.request.urlopen(request, context=_TLS, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def warm(site, place: dict, headers=None, seconds: float = 180) -> None:
    """Asks for a page until it answers 200: the workers' first renders are slow, and
    nginx answers 502/504 while a worker is still booting on a busy machine."""
    last = wait_until(
        lambda: fetch(site.url(place["path"]), place["host"], headers)[0] == 200, seconds, 1
    )
    if not last:
        raise SystemExit(f"{place} never answered 200 through nginx")


def wait_until(check, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(step)
    return None


def write_json(path: Path | None, data: dict) -> None:
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        print(f"figures written to {path}")
