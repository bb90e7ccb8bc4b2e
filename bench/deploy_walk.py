"""The "Done when" walk of issue 12 (run by hand): docs/deploy.md followed on this machine,
on loopback, with a self-signed certificate.

Without systemd as PID 1 (a container), each unit of deploy/systemd is checked with
`systemd-analyze verify` and then run as systemd would run it: its ExecStart exactly as
written (parsed from the unit file; `/srv/hoitu` is this checkout, `%%H` the host name),
in its WorkingDirectory, with the variables of its EnvironmentFile= and Environment=
lines. The environment file is the one docs/deploy.md shows, taken from the document
itself, with this machine's values put in (a fresh database, fresh secrets). Then, as the
document says: migrate, collectstatic, the demo content (optional step), the web, both
workers and beat, the shipped nginx site (deploy/loopback.py: loopback ports, scratch
paths), and:

  1. the site over https (`curl -k`): home and a story, 200, the page cache HIT;
  2. a published update reaches readers within 5 s (+ one render);
  3. both workers answer (`celery inspect ping`), beat runs;
  4. the backup unit's ExecStart writes an archive, `manage.py restore` brings it back
     into an empty database and checks counts and checksums (docs/backup.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_walk REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/deploy_walk.py --drop-database [--json bench/results/deploy_walk.json]

The database named in DATABASE_URL is DROPPED and created again (a fresh machine), as is
`<name>_restored`. Hooks for what other parts of issue 12 bring, passed through from the
environment into hoitu.env when set: CELERY_BROKER_URL (RabbitMQ) and the S3 media
settings (HOITU_MEDIA_STORAGE and AWS_*; see docs/deploy.md).
"""

import argparse
import base64
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from deploykit import (
    PY,
    ROOT,
    Nginx,
    free_port,
    places,
    shell,
    stop_all,
    wait_for_port,
    wait_until,
    write_json,
)

UNITS = ROOT / "deploy" / "systemd"
DOC = ROOT / "docs" / "deploy.md"
SERVICES = ["hoitu-web", "hoitu-worker", "hoitu-worker-media", "hoitu-beat"]
# Passed from the caller's environment into hoitu.env when set (S3 media, RabbitMQ).
HOOKS = re.compile(
    r"^(CELERY_BROKER_URL|HOITU_MEDIA_STORAGE|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|S3_[A-Z_]+|STORAGE_BUCKET_NAME))$"
)


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def run(cmd, env, **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    return subprocess.run(cmd, env=env, check=True, text=True, cwd=kw.pop("cwd", ROOT), **kw)


def documented_env() -> dict[str, str]:
    """The `/etc/hoitu/hoitu.env` block of docs/deploy.md: NAME=value lines (comments out)."""
    text = DOC.read_text()
    match = re.search(r"`/etc/hoitu/hoitu\.env`[^\n]*\n+```sh\n(.*?)```", text, re.S)
    if not match:
        raise SystemExit("docs/deploy.md no longer shows the hoitu.env block")
    values = {}
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def machine_env(doc: dict, database_url: str, redis_url: str, scratch: Path, app_port: int) -> dict:
    """The documented file with this machine's values. Every name the document lists is
    kept; a value shown as `...` (a secret to generate) gets a fresh one."""
    from cryptography.fernet import Fernet

    env = dict(doc)
    for name, value in doc.items():
        if value in ("...", ""):
            env[name] = secrets.token_urlsafe(40)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # One Redis database for the cache and the broker: the walk's own (REDIS_URL).
        CELERY_BROKER_URL=redis_url,
        MEDIA_ROOT=str(scratch / "media"),
        HOITU_GUNICORN_BIND=f"127.0.0.1:{app_port}",
        HOITU_GUNICORN_WORKERS="2",
        HOITU_BACKUP_DIR=str(scratch / "backups"),
        # The demo's hosts (and the documented one).
        DJANGO_ALLOWED_HOSTS=doc["DJANGO_ALLOWED_HOSTS"] + ",localhost,.localhost",
    )
    if "DISTRIBUTION_CREDENTIALS_KEY" in env:
        env["DISTRIBUTION_CREDENTIALS_KEY"] = Fernet.generate_key().decode()
    env.update({k: v for k, v in os.environ.items() if HOOKS.match(k)})
    return env


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def as_systemd_runs(name: str, files: dict[str, Path], scratch: Path, base: dict) -> tuple:
    """(argv, cwd, env) of a unit's ExecStart as systemd would start it here."""
    u = unit(f"{name}.service")
    env = dict(base)
    for path in u.get("EnvironmentFile", []):
        env.update(read_env_file(files[path.lstrip("-")]))
    for assignment in u.get("Environment", []):
        key, value = assignment.split("=", 1)
        env[key] = value
    for directory in ("RuntimeDirectory", "StateDirectory"):
        for value in u.get(directory, []):
            root = "/run" if directory == "RuntimeDirectory" else "/var/lib"
            (scratch / root.strip("/") / value).mkdir(parents=True, exist_ok=True)
    (command,) = u["ExecStart"]
    command = local_paths(command.replace("%%", "%").replace("%H", socket.gethostname()), scratch)
    env = {k: local_paths(v, scratch) for k, v in env.items()}
    cwd = local_paths(u["WorkingDirectory"][0], scratch)
    return shlex.split(command), cwd, env


def local_paths(text: str, scratch: Path) -> str:
    return (
        text.replace("/srv/hoitu", str(ROOT))
        .replace("/run/", f"{scratch}/run/")
        .replace("/var/lib/", f"{scratch}/var/lib/")
    )


def read_env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def curl(site: Nginx, host: str, path: str) -> tuple[int, dict, str]:
    """`curl -k` over https with the site's host name resolved to 127.0.0.1."""
    out = subprocess.run(
        ["curl", "-sk", "-D", "-", "--max-time", "20"]
        + ["--resolve", f"{host}:{site.https_port}:127.0.0.1"]
        + [f"https://{host}:{site.https_port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # text=True: curl's CRLFs arrive as plain newlines.
    head, _, body = out.partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return status, headers, body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--drop-database",
        action="store_true",
        help="required: the database of DATABASE_URL (and <name>_restored) is dropped",
    )
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} must be set: the walk's database (dropped!) and Redis.")
    if not args.drop_database:
        raise SystemExit(
            "The walk starts from an empty database: it DROPS the one in DATABASE_URL. Pass --drop-database."
        )
    scratch = Path(tempfile.mkdtemp(prefix="hoitu-walk-"))
    figures: dict = {"steps": {}}
    procs: list[subprocess.Popen] = []
    site = None
    started = time.monotonic()
    try:
        step("systemd-analyze verify deploy/systemd/* (this checkout as /srv/hoitu)")
        units = scratch / "units"
        units.mkdir()
        for path in UNITS.iterdir():
            (units / path.name).write_text(path.read_text().replace("/srv/hoitu", str(ROOT)))
        run(["systemd-analyze", "verify", "--man=no", *sorted(map(str, units.iterdir()))], None)

        step("/etc/hoitu/hoitu.env as docs/deploy.md shows it, with this machine's values")
        app_port = free_port()
        env_file = scratch / "etc" / "hoitu" / "hoitu.env"
        env_file.parent.mkdir(parents=True)
        values = machine_env(
            documented_env(), os.environ["DATABASE_URL"], os.environ["REDIS_URL"], scratch, app_port
        )
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        backup_env = env_file.parent / "backup.env"
        # What `manage.py backup --generate-key` prints: 32 random bytes, URL-safe base64.
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        backup_env.write_text(f"HOITU_BACKUP_KEY={key}\n")
        (scratch / "media").mkdir()
        files = {"/etc/hoitu/hoitu.env": env_file, "/etc/hoitu/backup.env": backup_env}
        print(f"{len(values)} variables: {', '.join(sorted(values))}")
        base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
        # `set -a; . /etc/hoitu/hoitu.env; set +a` of the document, for manage.py below.
        env = {**base, **read_env_file(env_file)}

        step("a fresh database: migrate, collectstatic, the demo content")
        recreate_database(env["DATABASE_URL"])
        t = time.monotonic()
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        figures["steps"]["migrate_collectstatic_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        # The demo's transcodes go to the media worker started below.
        run([PY, "manage.py", "load_initial_data", "--allow-production", "-v0"], env)
        figures["steps"]["demo_s"] = round(time.monotonic() - t, 1)

        step("the units' ExecStart, as systemd would run them")
        for name in SERVICES:
            argv, cwd, unit_env = as_systemd_runs(name, files, scratch, base)
            print(f"[{name}] cd {cwd} &&", " ".join(shlex.quote(a) for a in argv), flush=True)
            log = open(scratch / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            procs.append(
                subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=unit_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_for_port(app_port, procs[0], "hoitu-web (gunicorn)", seconds=90)

        step("the shipped nginx site on loopback, self-signed TLS")
        site = Nginx(
            scratch / "nginx",
            app_port,
            static_dir=ROOT / "static-collected",
            media_dir=scratch / "media",
        )
        assert site.check().returncode == 0, site.check().stderr
        site.start()
        where = places(env)
        story, home = where["story"], where["home"]
        status, headers, body = curl(site, home["host"], "/")
        assert status == 200, (status, body[:300])
        status, headers, body = curl(site, story["host"], story["path"])
        assert status == 200, status
        status, headers, body = curl(site, story["host"], story["path"])
        figures["steps"]["story_cache"] = headers.get("x-cache-status")
        print(f"home 200, story 200, second read X-Cache-Status {headers.get('x-cache-status')}")
        status, _, _ = curl(site, story["host"], "/healthz")
        figures["steps"]["healthz"] = status
        status, _, ready = curl(site, story["host"], "/readyz")
        figures["steps"]["readyz"] = status
        print(f"/healthz {figures['steps']['healthz']}, /readyz {status} {ready[:200]}")

        step("publish an update; readers see it within 5 s")
        marker = f"walk-{uuid.uuid4().hex[:6]}"
        published = float(
            shell(
                env,
                "import time; from wagtail.models import Page; "
                f"p = Page.objects.get(pk={story['id']}).specific; p.title = p.title + ' {marker}'; "
                "p.save_revision().publish(); print(time.time())",
            )
        )
        seen = wait_until(lambda: marker in curl(site, story["host"], story["path"])[2], 60)
        figures["steps"]["update_visible_s"] = round(time.time() - published, 2) if seen else None
        print(f"update visible after {figures['steps']['update_visible_s']} s")

        step("the workers and beat")
        ping = subprocess.run(
            [PY, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "10"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        figures["steps"]["workers_answering"] = sorted(set(re.findall(r"(\w+)@\S+: OK", ping)))
        print(ping.strip())
        for name, p in zip(SERVICES, procs, strict=True):
            assert p.poll() is None, (
                f"{name} exited: {(scratch / f'{name}.log').read_text()[-2000:]}"
            )

        step("backup (hoitu-backup.service's ExecStart) and restore into an empty database")
        argv, cwd, backup_env_vars = as_systemd_runs("hoitu-backup", files, scratch, base)
        t = time.monotonic()
        run(argv, backup_env_vars, cwd=cwd)
        figures["steps"]["backup_s"] = round(time.monotonic() - t, 1)
        (archive,) = sorted((scratch / "backups").glob("hoitu-backup-*.hbk"))
        restored = urlsplit(env["DATABASE_URL"])
        restored = restored._replace(path=restored.path + "_restored").geturl()
        recreate_database(restored)
        (scratch / "media-restored").mkdir()
        t = time.monotonic()
        result = run(
            [PY, "manage.py", "restore", str(archive), "--database-url", restored]
            + ["--media-dir", str(scratch / "media-restored")],
            {**env, **read_env_file(backup_env)},
            capture_output=True,
        )
        figures["steps"]["restore_s"] = round(time.monotonic() - t, 1)
        print(result.stdout.strip()[-600:])
        check = shell(
            {**env, "DATABASE_URL": restored},
            f"from wagtail.models import Page; print('{marker}' in Page.objects.get(pk={story['id']}).title)",
        )
        figures["steps"]["restored_has_update"] = check == "True"
        print(f"restored database holds the published update: {check}")
    finally:
        if site:
            site.stop()
        stop_all(procs)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"scratch kept: {scratch}")
    figures["total_s"] = round(time.monotonic() - started, 1)
    s = figures["steps"]
    ok = (
        s.get("story_cache") == "HIT"
        and s.get("update_visible_s") is not None
        and s["update_visible_s"] <= 6
        and {"default", "media"} <= set(s.get("workers_answering", []))
        and s.get("restored_has_update")
    )
    print(f"\nwalk {'PASSED' if ok else 'FAILED'} in {figures['total_s']} s: {s}")
    write_json(args.json, figures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
