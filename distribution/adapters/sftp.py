"""SFTP drop: see `drop.FileDrop`. The server's host key must match a fingerprint set on
the platform (SHA256:…, as `ssh-keygen -lf` prints it) before any password or key is
sent: an unknown or changed host key is never accepted (information-security level 3).
Login by private key (when one is stored) or password."""

import contextlib
import io
import re
import socket

import paramiko
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.conf import settings

from .base import PermanentError, TransientError
from .drop import FileDrop

# One fingerprint per line, bare or as `ssh-keygen -lf` prints it:
# "256 SHA256:<43 base64 characters> host (ED25519)".
FINGERPRINT_RE = re.compile(
    r"^(?:\d+\s+)?SHA256:(?P<digest>[A-Za-z0-9+/]{43})=?(?:\s+\S+)?(?:\s+\((?P<type>[A-Z0-9-]+)\))?$"
)
# The host key algorithms of each key type `ssh-keygen -lf` names.
HOST_KEY_ALGORITHMS = {
    "ED25519": ["ssh-ed25519"],
    "ECDSA": ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"],
    "RSA": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
}


class FingerprintProblem(ValueError):
    def __init__(self, message: str, line: str):
        super().__init__(message)
        self.line = line


def parse_fingerprints(text: str) -> list[tuple[str, str]]:
    """[(fingerprint, key type or "")] from one or more lines; FingerprintProblem names the
    line it cannot read."""
    found = []
    for line in (text or "").strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = FINGERPRINT_RE.match(line)
        if not match:
            raise FingerprintProblem(f"not a SHA256 host key fingerprint: {line[:80]!r}", line)
        kind = match["type"] or ""
        if kind and kind not in HOST_KEY_ALGORITHMS:
            raise FingerprintProblem(f"unsupported host key type {kind} in {line[:80]!r}", line)
        found.append((f"SHA256:{match['digest']}", kind))
    return found


class KeyProblem(ValueError):
    """A private key that cannot be used; `reason` is "encrypted", "unsupported" or
    "unreadable", so forms can word it in their own language."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"private key {reason}" + (f": {detail}" if detail else ""))
        self.reason = reason


def load_private_key(text: str) -> paramiko.PKey:
    """A paramiko key from PEM text: OpenSSH, PKCS#1, PKCS#8 or SEC1; RSA, ECDSA or Ed25519.
    Keys protected by a passphrase are refused: the stored credentials are encrypted."""
    data = text.strip().encode() + b"\n"
    try:
        try:
            loaded = serialization.load_ssh_private_key(data, password=None)
        except ValueError:
            loaded = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # "Password was not given but private key is encrypted"
        raise KeyProblem("encrypted") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyProblem("unsupported", str(exc)) from exc
    except ValueError as exc:
        raise KeyProblem("unreadable", str(exc)) from exc
    classes = {
        rsa.RSAPrivateKey: paramiko.RSAKey,
        ec.EllipticCurvePrivateKey: paramiko.ECDSAKey,
        ed25519.Ed25519PrivateKey: paramiko.Ed25519Key,
    }
    key_class = next((c for t, c in classes.items() if isinstance(loaded, t)), None)
    if key_class is None:
        raise KeyProblem("unsupported", type(loaded).__name__)
    # paramiko reads every type from the OpenSSH format, whatever format was pasted.
    openssh = loaded.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return key_class.from_private_key(io.StringIO(openssh.decode()))


class SftpAdapter(FileDrop):
    scheme = "sftp"
    default_port = 22

    def __init__(self, platform):
        super().__init__(platform)
        # sftp://host/~/folder is relative to the login folder, sftp://host/folder absolute.
        if self.folder == "/~" or self.folder.startswith("/~/"):
            self.folder = self.folder[3:]
        try:
            self.fingerprints = parse_fingerprints(platform.host_key_fingerprint)
        except ValueError as exc:
            raise PermanentError(f"sftp: {exc}") from None
        if not self.fingerprints:
            raise PermanentError(
                "sftp: no host key fingerprint set for this platform; get it with "
                f"`ssh-keyscan -p {self.port} {self.host} | ssh-keygen -lf -`"
            )
        self.username = self.credentials.get("username", "")
        self.password = self.credentials.get("password", "")
        if not self.username or not (self.password or self.credentials.get("private_key")):
            raise PermanentError("sftp: the platform needs a username and a password or key")
        self.private_key = None
        if self.credentials.get("private_key"):
            try:
                self.private_key = load_private_key(self.credentials["private_key"])
            except KeyProblem as exc:
                raise PermanentError(f"sftp: {exc}") from None
        self._doing = ""

    def _check_host_key(self, key: paramiko.PKey) -> None:
        seen = key.fingerprint  # SHA256:…, unpadded, as OpenSSH prints it
        if seen not in {known for known, _ in self.fingerprints}:
            raise PermanentError(
                f"sftp: host key of {self.host}:{self.port} is {seen} ({key.get_name()}), "
                "not a fingerprint set for this platform. It is never accepted "
                "automatically: confirm the new key with the server's administrator, "
                "then update the platform's fingerprint."
            )

    def _key_types(self, transport: paramiko.Transport) -> None:
        """Offers only the host key types the fingerprints name, so the server shows a
        key that can be checked (when a line says no type, any type may be shown)."""
        if any(not kind for _, kind in self.fingerprints):
            return
        wanted = {a for _, kind in self.fingerprints for a in HOST_KEY_ALGORITHMS[kind]}
        options = transport.get_security_options()
        options.key_types = [a for a in options.key_types if a in wanted]

    @contextlib.contextmanager
    def _session(self):
        timeout = settings.DISTRIBUTION_HTTP_TIMEOUT
        where = f"{self.host}:{self.port}"
        transport = sock = None
        opened = False  # from here on a fault may leave the last request done or not
        try:
            self._doing = f"connect to {where}"
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
            transport = paramiko.Transport(sock)
            transport.banner_timeout = transport.handshake_timeout = timeout
            transport.auth_timeout = timeout
            self._key_types(transport)
            transport.start_client(timeout=timeout)
            self._check_host_key(transport.get_remote_server_key())
            self._doing = f"log in as {self.username}"
            if self.private_key is not None:
                transport.auth_publickey(self.username, self.private_key)
            else:
                transport.auth_password(self.username, self.password)
            self._doing = "open the SFTP session"
            sftp = paramiko.SFTPClient.from_transport(transport)
            sftp.get_channel().settimeout(timeout)
            if self.folder:
                self._doing = f"open folder {self.folder}"
                sftp.chdir(self.folder)
            opened = True
            yield sftp
        except paramiko.AuthenticationException as exc:
            raise PermanentError(f"sftp: {self._doing}: refused ({exc})") from exc
        except FileNotFoundError as exc:
            raise PermanentError(
                f"sftp: {self._doing}: no such file or folder ({exc.strerror})"
            ) from exc
        except PermissionError as exc:
            raise PermanentError(
                f"sftp: {self._doing}: permission denied ({exc.strerror})"
            ) from exc
        except paramiko.SFTPError as exc:  # e.g. the folder is a file
            raise PermanentError(f"sftp: {self._doing}: {exc}") from exc
        except TimeoutError as exc:
            raise TransientError(f"sftp: {self._doing}: timed out", unanswered=opened) from exc
        except paramiko.SSHException as exc:
            if "no acceptable host key" in str(exc):
                raise PermanentError(
                    f"sftp: {where} offers no host key of the type(s) named by the "
                    "platform's fingerprints"
                ) from exc
            raise TransientError(f"sftp: {self._doing}: {exc}", unanswered=opened) from exc
        except (OSError, EOFError) as exc:
            # Connection faults, and the server's generic "Failure" answer.
            reason = f"{exc.__class__.__name__} {exc}".strip()
            raise TransientError(f"sftp: {self._doing}: {reason}", unanswered=opened) from exc
        finally:
            if transport is not None:
                transport.close()
            elif sock is not None:
                sock.close()

    def _store(self, sftp, name: str, data: bytes) -> None:
        self._doing = f"write {name}"
        sftp.putfo(io.BytesIO(data), name, file_size=len(data), confirm=True)

    def _replace(self, sftp, temporary: str, final: str) -> None:
        self._doing = f"rename {temporary} to {final}"
        try:
            sftp.posix_rename(temporary, final)
            return
        except OSError as exc:
            # A server without the posix-rename extension answers "unsupported" (a plain
            # status, no errno); its plain rename refuses to replace an existing file.
            if type(exc) is not OSError or exc.errno is not None:
                raise
        with contextlib.suppress(FileNotFoundError):
            sftp.remove(final)
        sftp.rename(temporary, final)

    def _discard(self, sftp, name: str) -> None:
        doing = self._doing  # the failure being reported is the rename's, not this
        super()._discard(sftp, name)
        self._doing = doing

    def _delete(self, sftp, name: str) -> None:
        self._doing = f"delete {name}"
        with contextlib.suppress(FileNotFoundError):
            sftp.remove(name)
