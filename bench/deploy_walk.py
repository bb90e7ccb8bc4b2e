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
        .venv/bin/python bench/deploy_walk.py --drop-database [--s3] [--rabbitmq] \\
        [--json bench/results/deploy_walk.json]

The database named in DATABASE_URL is DROPPED and created again (a fresh machine), as is
`<name>_restored`, and the Redis database of REDIS_URL is EMPTIED (FLUSHDB): a fresh
machine has no cache, and a previous run's cached fragments and image renditions name
rows and files this one does not have.

`--rabbitmq`: Celery on the RabbitMQ of this machine (127.0.0.1:5672, `rabbitmqctl` as
root), on a vhost and user of the walk's own made as docs/deploy.md says (add_vhost,
add_user, set_permissions), deleted at the end.

`--s3`: media on moto's S3 server on 127.0.0.1 (as tests/media/test_s3.py starts it),
with a bucket created as an operator would (`mc mb`: CreateBucket), keys of this run,
`manage.py media_bucket_policy --apply`, and the nginx site's `/media/` locations
replaced by the block docs/deploy.md shows (taken from the document). The walk then also
shows media work through the deployed processes: the demo's cuts (originals uploaded to
the bucket by `load_initial_data`) transcoded by the media worker's ExecStart reading and
writing the bucket; a free cut's rendition fetched through nginx (the app's check, a
presigned redirect, the bytes equal to the bucket's); an image rendition of the home page
fetched anonymously from the bucket; the archive holding every object, and `restore`
writing them into an EMPTY second bucket, then compared object by object (SHA-256).

Without the options, hooks pass through from the environment into hoitu.env when set:
CELERY_BROKER_URL and the S3 media settings (HOITU_MEDIA_STORAGE and AWS_*).
"""

import argparse
import base64
import hashlib
import json
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
    REFRESH_KEY,
    ROOT,
    Nginx,
    documented_env,
    free_port,
    places,
    shell,
    stop_all,
    wait_for_port,
    wait_until,
    with_fresh_secrets,
    write_json,
)

UNITS = ROOT / "deploy" / "systemd"
DOC = ROOT / "docs" / "deploy.md"
SERVICES = ["hoitu-web", "hoitu-worker", "hoitu-worker-media", "hoitu-beat", "hoitu-beacon"]
# Passed from the caller's environment into hoitu.env when set (S3 media, RabbitMQ).
HOOKS = re.compile(
    r"^(CELERY_BROKER_URL|HOITU_MEDIA_STORAGE|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|S3_[A-Z_]+|STORAGE_BUCKET_NAME))$"
)


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def run(cmd, env, **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    return subprocess.run(cmd, env=env, check=True, text=True, cwd=kw.pop("cwd", ROOT), **kw)


def machine_env(
    doc: dict, database_url: str, redis_url: str, scratch: Path, app_port: int, extra: dict
) -> dict:
    """The documented file with this machine's values. Every name the document lists is
    kept; a value shown as `...` (a secret to generate) gets a fresh one of its kind."""
    env = with_fresh_secrets(doc)
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
    env.update({k: v for k, v in os.environ.items() if HOOKS.match(k)})
    env.update(extra)
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


def beacon(site: Nginx, host: str, body: str) -> int:
    """A reader's beacon (`navigator.sendBeacon`) through the site: the status."""
    out = subprocess.run(
        ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"]
        + ["--resolve", f"{host}:{site.https_port}:127.0.0.1", "-H", "Content-Type: text/plain"]
        + ["-A", "Mozilla/5.0 (Linux; Android 13) Chrome/124.0 Mobile Safari/537.36"]
        + ["--data-binary", body, f"https://{host}:{site.https_port}/a/collect"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out)


def rabbitmqctl(*args: str) -> None:
    print("$ rabbitmqctl", " ".join(shlex.quote(a) for a in args), flush=True)
    done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise SystemExit(f"rabbitmqctl {args[0]} failed: {done.stderr or done.stdout}")


def rabbitmq_vhost(cleanup: list) -> str:
    """docs/deploy.md's broker step: a vhost and a user of the walk's own, full rights on
    the vhost. Returns CELERY_BROKER_URL; the vhost and user are deleted at the end."""
    name = f"hoitu-walk-{uuid.uuid4().hex[:6]}"
    password = secrets.token_urlsafe(24)
    rabbitmqctl("add_vhost", name)
    cleanup.append(lambda: rabbitmqctl("delete_vhost", name))
    rabbitmqctl("add_user", name, password)
    cleanup.append(lambda: rabbitmqctl("delete_user", name))
    rabbitmqctl("set_permissions", "-p", name, name, ".*", ".*", ".*")
    return f"amqp://{name}:{password}@127.0.0.1:5672/{name}"


BUCKET = "hoitu-media"
REGION = "ap-southeast-1"


def s3_server(cleanup: list) -> tuple[dict, object]:
    """moto's S3 server on 127.0.0.1 (as tests/media/test_s3.py), keys of this run (any key
    is accepted; production refuses the repository's), the bucket created as an operator
    would (`mc mb local/hoitu-media`). Returns the hoitu.env lines and a boto3 client."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    cleanup.append(server.stop)
    host, port = server.get_host_and_port()
    values = {
        "HOITU_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": "walk" + secrets.token_hex(8),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    }
    client = boto3.client(
        "s3",
        endpoint_url=values["AWS_S3_ENDPOINT_URL"],
        region_name=REGION,
        aws_access_key_id=values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=values["AWS_SECRET_ACCESS_KEY"],
    )
    make_bucket(client, BUCKET)
    print(f"moto S3 on {values['AWS_S3_ENDPOINT_URL']}, bucket {BUCKET}")
    return values, client


def make_bucket(client, name: str) -> None:
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def bucket_sums(client, bucket: str) -> dict[str, str]:
    """{key: SHA-256} of every object of a bucket."""
    sums = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            sums[item["Key"]] = hashlib.sha256(body).hexdigest()
    return sums


def s3_site() -> str:
    """The shipped nginx site with its `/media/` locations and `/_protected-media/`
    replaced by the block docs/deploy.md gives for media on S3 (taken from the document)."""
    doc = DOC.read_text()
    match = re.search(r"`/_protected-media/` by\s*\n+```nginx\n(.*?)```", doc, re.S)
    if not match:
        raise SystemExit("docs/deploy.md no longer shows the nginx block for media on S3")
    block = "    " + match.group(1).rstrip().replace("\n", "\n    ") + "\n"
    site = (ROOT / "deploy" / "nginx" / "hoitu.conf").read_text()
    locations = [
        r"location /media/ \{",
        r"location ~ \^/media/\(media\|media_renditions\|media_thumbnails\|speech\)/ \{",
        r"location /_protected-media/ \{",
    ]
    for i, start in enumerate(locations):
        # The location with the comment lines just above it.
        pattern = re.compile(r"((?:    #[^\n]*\n)*)    " + start + r"\n.*?\n    \}\n", re.S)
        site, count = pattern.subn(block if i == 0 else "", site, count=1)
        if count != 1:
            raise SystemExit(f"deploy/nginx/hoitu.conf: no {start!r} to replace")
    return site


MEDIA_CODE = r"""
import json
from collections import Counter
from newsroom.models import MediaAsset
from newsroom.media.access import is_protected
assets = MediaAsset.objects.order_by("pk")
out = {"status": dict(Counter(a.processing_status for a in assets)),
       "errors": [a.processing_error for a in assets if a.processing_status == "failed"]}
for a in assets.filter(processing_status="ready"):
    if is_protected(a):
        continue
    r = a.renditions.exclude(kind__in=["hls", "poster"]).order_by("pk").first()
    if r:
        out["cut"] = {"asset": a.pk, "kind": r.kind, "name": r.file.name, "url": r.file.url}
        break
print(json.dumps(out))
"""


def media_state(env) -> dict:
    return json.loads(shell(env, MEDIA_CODE))


def media_on_s3(site: Nginx, env: dict, client, home: dict, figures: dict) -> None:
    """The demo's cuts transcoded by the media worker from and into the bucket; a free
    cut and an image rendition fetched as a reader would."""
    s = figures["steps"]
    t = time.monotonic()

    def settled():
        state = media_state(env)
        pending = sum(n for k, n in state["status"].items() if k in ("pending", "processing"))
        return None if pending else state

    state = wait_until(settled, 600, 2)
    s["media_ready_s"] = round(time.monotonic() - t, 1)
    state = state or media_state(env)
    s["media_assets"] = state["status"]
    print(f"media assets after {s['media_ready_s']} s: {state['status']} {state['errors']}")
    keys = set(bucket_sums(client, BUCKET))
    s["bucket_objects"] = len(keys)
    s["bucket_renditions"] = sum(k.startswith("media_renditions/") for k in keys)
    print(f"bucket {BUCKET}: {len(keys)} objects, {s['bucket_renditions']} rendition files")

    cut = state.get("cut")
    if cut:
        host = home["host"]
        status, headers, _ = curl(site, host, cut["url"])
        location = headers.get("location", "")
        print(f"free cut {cut['url']}: {status} -> {location[:120]}")
        body = subprocess.run(
            ["curl", "-sf", "--max-time", "30", location], capture_output=True, check=False
        ).stdout
        stored = client.get_object(Bucket=BUCKET, Key=cut["name"])["Body"].read()
        s["free_cut"] = {
            "status": status,
            "presigned": "X-Amz-Signature=" in location,
            "bytes": len(body),
            "equal": bool(body) and body == stored,
        }
        print(f"free cut through nginx: {s['free_cut']}")
    endpoint = env["AWS_S3_ENDPOINT_URL"]
    _, _, page = curl(site, home["host"], "/")
    images = re.findall(re.escape(endpoint) + r"/" + BUCKET + r"/(images/[^\"'\s?]+)", page)
    if images:
        name = images[0]
        body = subprocess.run(
            ["curl", "-sf", "--max-time", "30", f"{endpoint}/{BUCKET}/{name}"],
            capture_output=True,
            check=False,
        ).stdout
        stored = client.get_object(Bucket=BUCKET, Key=name)["Body"].read()
        s["image_rendition"] = {"name": name, "bytes": len(body), "equal": body == stored}
    else:
        s["image_rendition"] = None
    print(f"image rendition from the bucket: {s['image_rendition']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--drop-database",
        action="store_true",
        help="required: the database of DATABASE_URL (and <name>_restored) is dropped",
    )
    parser.add_argument("--s3", action="store_true", help="media on moto's S3 server")
    parser.add_argument("--rabbitmq", action="store_true", help="Celery on a RabbitMQ vhost")
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
    cleanup: list = []
    site = None
    client = None
    started = time.monotonic()
    try:
        step("systemd-analyze verify deploy/systemd/* (this checkout as /srv/hoitu)")
        units = scratch / "units"
        units.mkdir()
        for path in UNITS.iterdir():
            (units / path.name).write_text(path.read_text().replace("/srv/hoitu", str(ROOT)))
        run(["systemd-analyze", "verify", "--man=no", *sorted(map(str, units.iterdir()))], None)

        extra = {}
        if args.rabbitmq:
            step("RabbitMQ: a vhost and a user of Hội Tụ's own (docs/deploy.md)")
            extra["CELERY_BROKER_URL"] = rabbitmq_vhost(cleanup)
        if args.s3:
            step("S3-compatible storage: moto's server, the bucket created (mc mb)")
            s3_values, client = s3_server(cleanup)
            extra.update(s3_values)

        step("/etc/hoitu/hoitu.env as docs/deploy.md shows it, with this machine's values")
        app_port, beacon_port = free_port(), free_port()
        while beacon_port == app_port:
            beacon_port = free_port()
        # The site's ports are chosen now (it starts below): the page cache refresh on
        # publish (HOITU_PAGE_CACHE_REFRESH_*) goes to its https port with its secret.
        (scratch / "media").mkdir()
        site = Nginx(
            scratch / "nginx",
            app_port,
            static_dir=ROOT / "static-collected",
            media_dir=scratch / "media",
            site_text=s3_site() if args.s3 else None,
            beacon_port=beacon_port,
        )
        extra.update(
            HOITU_PAGE_CACHE_REFRESH_URLS=f"https://127.0.0.1:{site.https_port}",
            HOITU_PAGE_CACHE_REFRESH_KEY=REFRESH_KEY,
        )
        env_file = scratch / "etc" / "hoitu" / "hoitu.env"
        env_file.parent.mkdir(parents=True)
        values = machine_env(
            documented_env(),
            os.environ["DATABASE_URL"],
            os.environ["REDIS_URL"],
            scratch,
            app_port,
            extra,
        )
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        backup_env = env_file.parent / "backup.env"
        # What `manage.py backup --generate-key` prints: 32 random bytes, URL-safe base64.
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        backup_env.write_text(f"HOITU_BACKUP_KEY={key}\n")
        files = {"/etc/hoitu/hoitu.env": env_file, "/etc/hoitu/backup.env": backup_env}
        print(f"{len(values)} variables: {', '.join(sorted(values))}")
        base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
        # `set -a; . /etc/hoitu/hoitu.env; set +a` of the document, for manage.py below.
        env = {**base, **read_env_file(env_file)}

        step("a fresh database: migrate, collectstatic, the demo content")
        recreate_database(env["DATABASE_URL"])
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        t = time.monotonic()
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        if args.s3:
            # docs/deploy.md, once: anonymous read of the image prefixes only.
            run([PY, "manage.py", "media_bucket_policy", "--apply"], env)
        figures["steps"]["migrate_collectstatic_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        # The demo's transcodes go to the media worker started below.
        run([PY, "manage.py", "load_initial_data", "--allow-production", "-v0"], env)
        figures["steps"]["demo_s"] = round(time.monotonic() - t, 1)

        step("the units' ExecStart, as systemd would run them")
        for name in SERVICES:
            argv, cwd, unit_env = as_systemd_runs(name, files, scratch, base)
            if name == "hoitu-beacon":  # the unit's 8001, as the site's upstream here
                unit_env["GRANIAN_PORT"] = str(beacon_port)
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
        wait_for_port(beacon_port, procs[-1], "hoitu-beacon (granian)", seconds=90)

        step("the shipped nginx site on loopback, self-signed TLS")
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

        step("a reader's beacon: nginx, the beacon server (hoitu-beacon), Redis, beat's flush")
        count = "from analytics.models import Event; print(Event.objects.count())"
        before = int(shell(env, count))
        site_id = int(
            shell(
                env,
                f"from wagtail.models import Page; print(Page.objects.get(pk={story['id']}).get_site().pk)",
            )
        )
        answer = beacon(
            site, story["host"], json.dumps({"k": "pageview", "p": story["id"], "s": site_id})
        )
        stored = wait_until(lambda: int(shell(env, count)) > before, 30)
        beacon_log = (scratch / "hoitu-beacon.log").read_text()
        figures["steps"]["beacon"] = {"status": answer, "stored": stored}
        print(f"beacon answered {answer}, stored by the flush: {stored}")
        assert answer == 204 and stored, (answer, stored, beacon_log[-1000:])

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

        if args.s3:
            step("media on S3 through the deployed processes")
            media_on_s3(site, env, client, home, figures)

        step("backup (hoitu-backup.service's ExecStart) and restore into an empty database")
        argv, cwd, backup_env_vars = as_systemd_runs("hoitu-backup", files, scratch, base)
        t = time.monotonic()
        run(argv, backup_env_vars, cwd=cwd)
        figures["steps"]["backup_s"] = round(time.monotonic() - t, 1)
        (archive,) = sorted((scratch / "backups").glob("hoitu-backup-*.hbk"))
        figures["steps"]["archive_mib"] = round(archive.stat().st_size / 2**20, 1)
        restored = urlsplit(env["DATABASE_URL"])
        restored = restored._replace(path=restored.path + "_restored").geturl()
        recreate_database(restored)
        restore_env = {**env, **read_env_file(backup_env)}
        if args.s3:
            # docs/backup.md: `restore` writes the objects into the configured bucket,
            # which must be empty: a second bucket made as the first.
            make_bucket(client, BUCKET + "-restored")
            restore_env["AWS_STORAGE_BUCKET_NAME"] = BUCKET + "-restored"
            media_args = []
        else:
            (scratch / "media-restored").mkdir()
            media_args = ["--media-dir", str(scratch / "media-restored")]
        t = time.monotonic()
        result = run(
            [PY, "manage.py", "restore", str(archive), "--database-url", restored, *media_args],
            restore_env,
            capture_output=True,
        )
        figures["steps"]["restore_s"] = round(time.monotonic() - t, 1)
        print(result.stdout.strip()[-600:])
        if args.s3:
            # Each restored object equal to the source bucket's of the same name (objects
            # are never overwritten: file_overwrite=False), as many as the archive holds.
            # The workers may have added objects since the backup.
            copy = bucket_sums(client, BUCKET + "-restored")
            source = bucket_sums(client, BUCKET)
            archived = int(re.search(r"(\d+) media files", result.stdout).group(1))
            figures["steps"]["restored_bucket"] = {
                "objects": len(copy),
                "archived": archived,
                "source_objects_now": len(source),
                "equal": len(copy) == archived and all(source.get(k) == v for k, v in copy.items()),
            }
            print(f"restored bucket: {figures['steps']['restored_bucket']}")
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
        for undo in reversed(cleanup):
            try:
                undo()
            except BaseException as exc:  # noqa: BLE001 - report and go on cleaning
                print(f"cleanup: {exc}")
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
    if args.s3:
        ok = (
            ok
            and s.get("readyz") == 200
            and set(s.get("media_assets", {})) == {"ready"}
            and s.get("bucket_renditions", 0) > 0
            and (s.get("free_cut") or {}).get("equal")
            and (s.get("free_cut") or {}).get("presigned")
            and (s.get("image_rendition") or {}).get("equal")
            and (s.get("restored_bucket") or {}).get("equal")
        )
    print(f"\nwalk {'PASSED' if ok else 'FAILED'} in {figures['total_s']} s: {s}")
    write_json(args.json, figures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
