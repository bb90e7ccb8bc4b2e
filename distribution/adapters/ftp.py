"""FTP drop for contract delivery (TV/IPTV platforms): a NewsML-G2 file per story,
uploaded under a temporary name and renamed, so the receiver never picks up half a file.
SFTP is not implemented yet."""

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

    def _connect(self) -> ftplib.FTP:
        ftp = ftplib.FTP(timeout=settings.DISTRIBUTION_HTTP_TIMEOUT)
        try:
            ftp.connect(self.host, self.port)
            ftp.login(self.user, self.password)
            if self.folder not in ("", "/"):
                ftp.cwd(self.folder)
        except ftplib.error_perm as exc:
            ftp.close()
            raise PermanentError(f"ftp: {exc}") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            ftp.close()
            raise TransientError(f"ftp: {exc.__class__.__name__} {exc}") from exc
        return ftp

    @staticmethod
    def filename(story_pk: int) -> str:
        return f"hoitu-story-{story_pk}.xml"

    def publish(self, story, *, remote_id: str, progress: dict, key: str) -> str:
        from ..sharing import newsml_item

        data = newsml_item(story)
        final = self.filename(story.pk)
        temporary = f".{final}.{key[-12:].replace(':', '-')}.part"
        ftp = self._connect()
        try:
            ftp.storbinary(f"STOR {temporary}", io.BytesIO(data))
            ftp.rename(temporary, final)
        except ftplib.error_perm as exc:
            raise PermanentError(f"ftp: {exc}") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            raise TransientError(f"ftp: {exc.__class__.__name__} {exc}") from exc
        finally:
            try:
                ftp.quit()
            except (OSError, ftplib.Error):
                ftp.close()
        return final

    def remove(self, *, story_pk: int, remote_id: str, progress: dict, key: str) -> None:
        ftp = self._connect()
        try:
            ftp.delete(remote_id or self.filename(story_pk))
        except ftplib.error_perm as exc:
            if not str(exc).startswith("550"):  # 550: already gone, which is what we want
                raise PermanentError(f"ftp: {exc}") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            raise TransientError(f"ftp: {exc.__class__.__name__} {exc}") from exc
        finally:
            try:
                ftp.quit()
            except (OSError, ftplib.Error):
                ftp.close()
