"""The shipped nginx site (deploy/nginx/hoitu.conf) rendered for 127.0.0.1: high ports, a
self-signed certificate, paths under a scratch directory and the app servers' ports in the
upstream. Every other line is the shipped one, so what runs is what a newsroom installs.

Used by tests/deploy (the checks of the site), bench/ (page cache, storm day, two app
servers) and bench/deploy_walk.py (docs/deploy.md on this machine). Needs nginx and the
`cryptography` package (a main dependency)."""

import datetime
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "hoitu.conf"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def documented_env() -> dict[str, str]:
    """The `/etc/hoitu/hoitu.env` block of docs/deploy.md: NAME=value lines (comments out)."""
    import re

    text = DEPLOY_DOC.read_text()
    match = re.search(r"`/etc/hoitu/hoitu\.env`[^\n]*\n+```sh\n(.*?)```", text, re.S)
    if not match:
        raise AssertionError("docs/deploy.md no longer shows the hoitu.env block")
    values = {}
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def with_fresh_secrets(values: dict[str, str]) -> dict[str, str]:
    """The documented file as an operator fills it in: each value shown as `...` replaced
    by a fresh one of its kind (what the block's comments say to generate)."""
    from cryptography.fernet import Fernet

    from push.keys import generate_pair

    private, public = generate_pair()
    vapid = {"HOITU_VAPID_PRIVATE_KEY": private, "HOITU_VAPID_PUBLIC_KEY": public}
    out = dict(values)
    for name, value in values.items():
        if value in ("...", ""):
            if name == "DISTRIBUTION_CREDENTIALS_KEY":
                out[name] = Fernet.generate_key().decode()
            elif name in vapid:
                out[name] = vapid[name]
            else:
                out[name] = secrets.token_urlsafe(40)
    return out


def nginx_binary() -> str | None:
    """nginx on PATH, or Debian's /usr/sbin/nginx (not on every user's PATH)."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different ports nothing listens on: the sockets stay bound until all are
    chosen (one after another, the kernel may hand the same port out twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for_port(port: int, process=None, what: str = "server", seconds: float = 30) -> None:
    """Returns once something accepts on 127.0.0.1:port; fails if `process` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise AssertionError(f"{what} exited with {process.returncode}: {error[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within {seconds} s")


def self_signed(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A certificate and key for a loopback trial (what `openssl req -x509` makes)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
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
    if old not in text:
        raise AssertionError(
            f"deploy/nginx/hoitu.conf no longer contains {old!r}: update deploy/loopback.py"
        )
    return text.replace(old, new)


# The page cache's refresh secret (HOITU_PAGE_CACHE_REFRESH_KEY) of the loopback site, new
# in each process: the app run behind it must be given the same value.
REFRESH_KEY = secrets.token_hex(16)


def render_site(
    text: str,
    *,
    http_port: int,
    https_port: int,
    app_ports: list[int],
    cert: Path,
    key: Path,
    scratch: Path,
    srv: Path,
    beacon_port: int | None = None,
) -> str:
    """The shipped site with loopback ports, these paths and one upstream line per app.
    `beacon_port`: the beacon server's (granian, config/asgi.py); without one, a port
    nothing listens on, so the beacon goes to the first app server, as nginx's fallback
    does while the beacon server is down."""
    upstream = "server 127.0.0.1:8000 max_fails=1 fail_timeout=5s;"
    beacon = "server 127.0.0.1:8001 max_fails=1 fail_timeout=5s;"
    beacon_backup = "server 127.0.0.1:8000 backup;"
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;\n", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;\n", ""),
        ("/etc/ssl/hoitu/fullchain.pem", str(cert)),
        ("/etc/ssl/hoitu/privkey.pem", str(key)),
        ("/var/cache/nginx/hoitu", str(scratch / "cache")),
        ("/var/log/nginx/", f"{scratch}/"),
        ("/var/www/letsencrypt", str(scratch / "letsencrypt")),
        ("/srv/hoitu", str(srv)),
        ("CHANGE-ME-page-cache-refresh-key", REFRESH_KEY),
        (beacon, beacon.replace("8001", str(beacon_port or free_port()))),
        (beacon_backup, beacon_backup.replace("8000", str(app_ports[0]))),
        (
            upstream,
            "\n    ".join(upstream.replace("8000", str(port)) for port in app_ports),
        ),
    ]:
        text = replace(text, old, new)
    return text


class Nginx:
    """The shipped site on 127.0.0.1 under `tmp`. `app_ports`: the gunicorn(s) behind it;
    `beacon_port`: the beacon server (else the beacon goes to the first gunicorn).
    `static_dir` / `media_dir` are linked where the site expects /srv/hoitu/static-collected
    and /srv/hoitu/media (empty directories when not given). `worker_processes` and
    `worker_connections` belong to nginx.conf (the Debian package's file), not to the site."""

    def __init__(
        self,
        tmp: Path,
        app_ports,
        *,
        static_dir: Path | None = None,
        media_dir: Path | None = None,
        worker_processes: int = 1,
        worker_connections: int = 256,
        access_log: bool = True,
        site_text: str | None = None,
        beacon_port: int | None = None,
    ):
        self.binary = nginx_binary()
        if not self.binary:
            raise RuntimeError("nginx is missing: install it with scripts/install-system-deps.sh")
        if isinstance(app_ports, int):
            app_ports = [app_ports]
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.http_port, self.https_port = free_ports(2)
        srv = tmp / "srv"
        srv.mkdir()
        for name, target in (("static-collected", static_dir), ("media", media_dir)):
            if target is None:
                (srv / name).mkdir()
            else:
                (srv / name).symlink_to(Path(target).resolve(), target_is_directory=True)
        self.srv = srv
        cert, key = self_signed(tmp)
        site = render_site(
            site_text if site_text is not None else SITE.read_text(),
            http_port=self.http_port,
            https_port=self.https_port,
            app_ports=list(app_ports),
            cert=cert,
            key=key,
            scratch=tmp,
            srv=srv,
            beacon_port=beacon_port,
        )
        (tmp / "hoitu.conf").write_text(site)
        # Debian's nginx starts its workers as www-data: as root, keep root so they read
        # the scratch directory and the checkout.
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"{kind}_temp_path {tmp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        log = f"access_log {tmp}/access.log;" if access_log else "access_log off;"
        self.conf = tmp / "nginx.conf"
        self.conf.write_text(
            f"{user}worker_processes {worker_processes};\npid {tmp}/nginx.pid;\ndaemon off;\n"
            f"worker_rlimit_nofile {max(1024, worker_connections * 4)};\n"
            f"error_log {tmp}/error.log info;\n"
            f"events {{ worker_connections {worker_connections}; }}\n"
            f"http {{\ninclude /etc/nginx/mime.types;\n{temp}{log}\n"
            f"include {tmp}/hoitu.conf;\n}}\n"
        )
        if not access_log:
            # The site's own access_log line would log anyway: off for load runs.
            site = site.replace(f"access_log {tmp}/hoitu.access.log;", "access_log off;")
            (tmp / "hoitu.conf").write_text(site)
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

    def url(self, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"
