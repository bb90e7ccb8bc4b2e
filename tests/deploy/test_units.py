"""deploy/systemd: the units systemd itself accepts (systemd-analyze verify, with /srv/hoitu
pointing at this checkout), all under the same user and environment file, hardened."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, SITE

UNITS = ROOT / "deploy" / "systemd"
SERVICES = [
    "hoitu-web",
    "hoitu-beacon",
    "hoitu-worker",
    "hoitu-worker-media",
    "hoitu-beat",
    "hoitu-backup",
]


def directives(name):
    values = {}
    for line in (UNITS / f"{name}.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_units_pass_systemd_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.fail(
            "systemd-analyze is missing: install it with scripts/install-system-deps.sh "
            "(make system-deps); it checks deploy/systemd"
        )
    for name in SERVICES:
        text = (UNITS / f"{name}.service").read_text().replace("/srv/hoitu", str(ROOT))
        (tmp_path / f"{name}.service").write_text(text)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / f"{n}.service") for n in SERVICES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_as_hoitu_with_the_shared_environment(name):
    unit = directives(name)
    assert unit["User"] == ["hoitu"] and unit["WorkingDirectory"] == ["/srv/hoitu"]
    assert "/etc/hoitu/hoitu.env" in unit["EnvironmentFile"]


@pytest.mark.parametrize(
    "name", ["hoitu-web", "hoitu-beacon", "hoitu-worker", "hoitu-worker-media", "hoitu-beat"]
)
def test_long_running_services_are_hardened(name):
    unit = directives(name)
    for key, value in {
        "NoNewPrivileges": "true",
        "PrivateTmp": "true",
        "ProtectSystem": "strict",
        # The beacon server writes nowhere on disk (only its metrics, under /run).
        "ReadWritePaths": None if name == "hoitu-beacon" else "/srv/hoitu/media",
    }.items():
        assert unit.get(key) == (None if value is None else [value]), (name, key)


def test_beacon_server_serves_the_asgi_app_on_the_loopback_port_nginx_names():
    """hoitu-beacon.service listens where deploy/nginx/hoitu.conf's beacon upstream points,
    with hoitu-web (gunicorn's default bind) as its backup."""
    unit = directives("hoitu-beacon")
    (command,) = unit["ExecStart"]
    assert "--interface asgi" in command and command.endswith(" config.asgi:application")
    env = dict(v.split("=", 1) for v in unit["Environment"])
    site = SITE.read_text()
    (upstream,) = re.findall(r"upstream hoitu_beacon \{([^}]*)\}", site)
    assert f"server {env['GRANIAN_HOST']}:{env['GRANIAN_PORT']} " in upstream
    assert "server 127.0.0.1:8000 backup;" in upstream
    assert env["PROMETHEUS_MULTIPROC_DIR"] == "/run/" + unit["RuntimeDirectory"][0]


def test_media_worker_takes_one_job_at_a_time():
    (command,) = directives("hoitu-worker-media")["ExecStart"]
    assert " -Q media --prefetch-multiplier 1 -c 1 " in command
    (default,) = directives("hoitu-worker")["ExecStart"]
    assert "media" not in default


@pytest.mark.parametrize("name", SERVICES)
def test_every_exec_start_names_files_of_the_checkout(name):
    """What bench/deploy_walk.py runs: each ExecStart with /srv/hoitu as this checkout
    starts a program of its venv, and every path it names exists."""

    (command,) = directives(name)["ExecStart"]
    argv = shlex.split(command.replace("/srv/hoitu", str(ROOT)))
    assert argv[0] == str(ROOT / ".venv" / "bin" / Path(argv[0]).name)
    assert Path(argv[0]).exists(), argv[0]
    for arg in argv[1:]:
        if arg.startswith(str(ROOT)) or arg == "manage.py":
            assert (ROOT / arg).exists(), (name, arg)
