"""A real SFTP server on 127.0.0.1 port 0 (paramiko's server classes), serving a temporary
folder as its root: the fake of a TV/IPTV platform's SFTP drop. It speaks SSH 2 and SFTP
version 3 as OpenSSH's sftp-server does (plain rename refuses to replace a file; the
posix-rename@openssh.com extension replaces), and records what clients did."""

import contextlib
import os
import socket
import threading
from pathlib import Path

import paramiko
from paramiko.sftp import SFTP_FAILURE, SFTP_OK, SFTP_OP_UNSUPPORTED


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        return paramiko.SFTPAttributes.from_stat(
            os.fstat((self.readfile or self.writefile).fileno())
        )

    def chattr(self, attr):
        return SFTP_OK


class _RootedSftp(paramiko.SFTPServerInterface):
    """Every path is inside the fake's root; errors come back as SFTP status codes."""

    def __init__(self, server, fake):
        super().__init__(server)
        self.fake = fake

    def _real(self, path) -> str:
        return str(self.fake.root) + self.canonicalize(path)

    def _record(self, *what):
        self.fake.operations.append(what)

    @staticmethod
    def _status(call, *args) -> int:
        try:
            call(*args)
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        return SFTP_OK

    def list_folder(self, path):
        try:
            real = self._real(path)
            return [
                paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, name)), name)
                for name in os.listdir(real)
            ]
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    def stat(self, path):
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)

    lstat = stat

    def open(self, path, flags, attr):
        self._record("open", self.canonicalize(path))
        try:
            fd = os.open(self._real(path), flags | getattr(os, "O_BINARY", 0), 0o644)
            mode = "wb" if flags & os.O_WRONLY else ("r+b" if flags & os.O_RDWR else "rb")
            handle = _Handle(flags)
            f = os.fdopen(fd, mode)
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        handle.filename = path
        handle.readfile = f if "r" in mode else None
        handle.writefile = f if mode != "rb" else None
        return handle

    def remove(self, path):
        self._record("remove", self.canonicalize(path))
        return self._status(os.remove, self._real(path))

    def rename(self, oldpath, newpath):
        self._record("rename", self.canonicalize(oldpath), self.canonicalize(newpath))
        if os.path.exists(self._real(newpath)):
            return SFTP_FAILURE  # SFTP v3: rename never replaces (OpenSSH answers "Failure")
        return self._status(os.rename, self._real(oldpath), self._real(newpath))

    def posix_rename(self, oldpath, newpath):
        if not self.fake.posix_rename:
            return SFTP_OP_UNSUPPORTED
        self._record("posix-rename", self.canonicalize(oldpath), self.canonicalize(newpath))
        return self._status(os.replace, self._real(oldpath), self._real(newpath))

    def mkdir(self, path, attr):
        return self._status(os.mkdir, self._real(path))


class _Server(paramiko.ServerInterface):
    def __init__(self, fake):
        self.fake = fake

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def get_allowed_auths(self, username):
        return ",".join(
            m for m, on in [("password", self.fake.password), ("publickey", True)] if on
        )

    def check_auth_password(self, username, password):
        self.fake.logins.append(("password", username))
        if self.fake.password and (username, password) == (self.fake.username, self.fake.password):
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        self.fake.logins.append(("publickey", username))
        allowed = {k.asbytes() for k in self.fake.authorized_keys}
        if username == self.fake.username and key.asbytes() in allowed:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED


class SftpFake:
    """`with SftpFake(root) as fake:` serves `root` until the block ends or `close()`.
    `password=""` allows keys only; `posix_rename=False` is a server without OpenSSH's
    extension."""

    def __init__(self, root: Path, *, username="iptv", password="sftp-pass", host_keys=None):
        self.root = Path(root)
        self.username, self.password = username, password
        self.host_keys = host_keys or [paramiko.ECDSAKey.generate()]
        self.authorized_keys: list[paramiko.PKey] = []
        self.posix_rename = True
        self.operations: list[tuple] = []
        self.logins: list[tuple] = []
        self._transports: list[paramiko.Transport] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = self._listener.getsockname()[:2]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def fingerprints(self) -> str:
        """What `ssh-keyscan host | ssh-keygen -lf -` prints for this server."""
        host, _ = self.address
        types = {"ssh-ed25519": "ED25519", "ssh-rsa": "RSA"}
        return "\n".join(
            f"{key.get_bits()} {key.fingerprint} {host} ({types.get(key.get_name(), 'ECDSA')})"
            for key in self.host_keys
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stops listening and drops every session: nobody answers on the port any more."""
        # shutdown() wakes the thread blocked in accept(); close() alone would not, and
        # the socket would go on accepting while that thread holds it.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for transport in self._transports:
            transport.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        transport = paramiko.Transport(conn)
        self._transports.append(transport)
        for key in self.host_keys:
            transport.add_server_key(key)
        transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _RootedSftp, self)
        try:
            transport.start_server(server=_Server(self))
        except (paramiko.SSHException, EOFError, OSError):
            transport.close()  # the client hung up during the handshake (host key refused)
