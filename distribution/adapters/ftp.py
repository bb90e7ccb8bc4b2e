"""FTP drop: see `drop.FileDrop`. The server's 5xx replies are permanent, its 4xx replies,
lost connections and timeouts transient.

Bandit's B402/B321 (FTP is clear text) are justified here: the FTP drop exists for the
partners' servers that speak only FTP, chosen per platform by the agency's admin; SFTP is
the encrypted kind (adapters/sftp.py)."""

import contextlib
import ftplib  # nosec B402
import io

from django.conf import settings

from .base import PermanentError, TransientError
from .drop import FileDrop


class FtpAdapter(FileDrop):
    scheme = "ftp"
    default_port = 21

    @contextlib.contextmanager
    def _session(self):
        ftp = ftplib.FTP(timeout=settings.DISTRIBUTION_HTTP_TIMEOUT)  # nosec B321
        try:
            ftp.connect(self.host, self.port)
            ftp.login(
                self.credentials.get("username", "anonymous"),
                self.credentials.get("password", ""),
            )
            if self.folder not in ("", "/"):
                ftp.cwd(self.folder)
            yield ftp
        except ftplib.error_perm as exc:
            raise PermanentError(f"ftp: {exc}") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            raise TransientError(f"ftp: {exc.__class__.__name__} {exc}") from exc
        finally:
            if ftp.sock is not None:  # never connected: nothing to say goodbye to
                try:
                    ftp.quit()
                except (OSError, EOFError, ftplib.Error):
                    ftp.close()

    def _store(self, ftp, name: str, data: bytes) -> None:
        ftp.storbinary(f"STOR {name}", io.BytesIO(data))

    def _replace(self, ftp, temporary: str, final: str) -> None:
        ftp.rename(temporary, final)  # RNFR/RNTO replaces the target on FTP servers

    def _delete(self, ftp, name: str) -> None:
        try:
            ftp.delete(name)
        except ftplib.error_perm as exc:
            if not str(exc).startswith("550"):  # 550: already gone, which is what we want
                raise
