"""FTP drop for contract delivery (TV/IPTV platforms): a NewsML-G2 file per story,
uploaded under a temporary name and renamed, so the receiver never picks up half a file.
SFTP is not implemented yet."""

import contextlib
import ftplib
import io
from urllib.parse import unquote, urlsplit

from django.conf import settings

from .base import PermanentError, TransientError


class FtpAdapter:
    def __init__(self, platform):
        self.platform = platform
        parts = urlsplit(platform.endpoint)
        if parts.scheme != "ftp" or not parts.hostname:
            raise PermanentError("FTP platform address must look like ftp://host:port/folder")
        self.host = parts.hostname
        self.port = parts.port or 21
        self.folder = unquote(parts.path or "/")
        creds = platform.credentials
        self.user = creds.get("username", "anonymous")
        self.password = creds.get("password", "")

    @contextlib.contextmanager
    def _session(self):
        """A logged-in FTP session in the platform's folder. The server's refusals
        (5xx replies) are permanent; lost connections and timeouts are transient."""
        ftp = ftplib.FTP(timeout=settings.DISTRIBUTION_HTTP_TIMEOUT)
        try:
            ftp.connect(self.host, self.port)
            ftp.login(self.user, self.password)
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

    @staticmethod
    def filename(story_pk: int) -> str:
        return f"hoitu-story-{story_pk}.xml"

    def publish(self, story, *, remote_id: str, progress: dict, key: str) -> str:
        from ..sharing import newsml_item

        data = newsml_item(story)
        final = self.filename(story.pk)
        temporary = f".{final}.{key[-12:].replace(':', '-')}.part"
        with self._session() as ftp:
            ftp.storbinary(f"STOR {temporary}", io.BytesIO(data))
            ftp.rename(temporary, final)
        return final

    def remove(self, *, story_pk: int, remote_id: str, progress: dict, key: str) -> None:
        try:
            with self._session() as ftp:
                ftp.delete(remote_id or self.filename(story_pk))
        except PermanentError as exc:
            if not str(exc).startswith("ftp: 550"):  # 550: already gone, which is what we want
                raise
