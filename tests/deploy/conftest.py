"""The shipped nginx site (deploy/nginx/hoitu.conf) run for real on 127.0.0.1 high ports,
with test paths, a self-signed certificate and a gunicorn started on the test database
with the shipped deploy/gunicorn.conf.py."""

import datetime
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.paywall.conftest import stories  # noqa: F401  (free and metered demo stories)

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "hoitu.conf"
# The refresh secret the test site expects (HOITU_PAGE_CACHE_REFRESH_KEY).
REFRESH_KEY = "test-refresh-key-0f3c9a"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if not found:
        pytest.fail(
            "nginx is missing: tests/deploy run the shipped nginx site. "
            "Install it with scripts/install-system-deps.sh (make system-deps)."
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/hoitu.conf no longer contains {old!r}: update the test"
    return text.replace(old, new)


class Nginx:
    """The shipped site under a test prefix: ports, paths and the upstream substituted."""

    def __init__(self, tmp: Path, app_port: int):
        self.binary = nginx_binary()
        self.tmp = tmp
        self.http_port, self.https_port = free_port(), free_port()
        srv = tmp / "srv"
        (srv / "static-collected").mkdir(parents=True)
        (srv / "media").mkdir()
        cert, key = self_signed(tmp)
        site = SITE.read_text()
        for old, new in [
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;\n", ""),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;\n", ""),
            ("/etc/ssl/hoitu/fullchain.pem", str(cert)),
            ("/etc/ssl/hoitu/privkey.pem", str(key)),
            ("/var/cache/nginx/hoitu", str(tmp / "cache")),
            ("/var/log/nginx/", f"{tmp}/"),
            ("/var/www/letsencrypt", str(tmp / "letsencrypt")),
            ("/srv/hoitu", str(srv)),
            ("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}"),
            ("CHANGE-ME-page-cache-refresh-key", REFRESH_KEY),
        ]:
            site = replace(site, old, new)
        (tmp / "hoitu.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"{kind}_temp_path {tmp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.conf = tmp / "nginx.conf"
        self.conf.write_text(
            f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\ndaemon off;\n"
            f"error_log {tmp}/error.log info;\nevents {{ worker_connections 256; }}\n"
            f"http {{\ninclude /etc/nginx/mime.types;\n{temp}access_log {tmp}/access.log;\n"
            f"include {tmp}/hoitu.conf;\n}}\n"
        )
        self.process = None

    def command(self, *extra):
        return [
            self.binary,
            "-p",
            f"{self.tmp}/",
            "-e",
            f"{self.tmp}/error.log",
            "-c",
            str(self.conf),
            *extra,
        ]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def start(self):
        self.process = subprocess.Popen(self.command(), stderr=subprocess.PIPE)
        wait_for_port(self.https_port, self.process, "nginx")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_for_port(port: int, process, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise AssertionError(f"{what} exited with {process.returncode}: {error[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within {seconds} s")


@pytest.fixture
def nginx_site(tmp_path):
    """The shipped site in front of a port nothing listens on (yet)."""
    site = Nginx(tmp_path, free_port())
    yield site
    site.stop()
