"""File drops for contract delivery (TV/IPTV platforms): a NewsML-G2 file per story in a
folder of the platform's file server, uploaded under a hidden temporary name and renamed
into place, so the receiver never picks up half a file. The protocols (FTP, SFTP) differ
only in how a session is opened and how a file is stored, renamed and deleted."""

import contextlib
from urllib.parse import unquote, urlsplit

from .base import PermanentError


def parse_address(endpoint: str, scheme: str, default_port: int) -> tuple[str, int, str]:
    """(host, port, folder) of `scheme://host:port/folder`; ValueError when malformed."""
    parts = urlsplit(endpoint.strip())
    try:
        port = parts.port or default_port
    except ValueError:
        port = 0
    if parts.scheme != scheme or not parts.hostname or not port:
        raise ValueError(
            f"{scheme.upper()} platform address must look like {scheme}://host:port/folder"
        )
    return parts.hostname, port, unquote(parts.path or "/")


class FileDrop:
    scheme = ""  # "ftp", "sftp"
    default_port = 0

    def __init__(self, platform):
        self.platform = platform
        try:
            self.host, self.port, self.folder = parse_address(
                platform.endpoint, self.scheme, self.default_port
            )
        except ValueError as exc:
            raise PermanentError(str(exc)) from None
        self.credentials = platform.credentials

    @contextlib.contextmanager
    def _session(self):
        """A logged-in session in the platform's folder. The server's refusals are
        PermanentError; lost connections and timeouts are TransientError."""
        raise NotImplementedError

    def _store(self, session, name: str, data: bytes) -> None:
        raise NotImplementedError

    def _replace(self, session, temporary: str, final: str) -> None:
        """Renames `temporary` to `final`, replacing a file already there."""
        raise NotImplementedError

    def _delete(self, session, name: str) -> None:
        """Deletes `name`; a file already gone is not an error (that is what we want)."""
        raise NotImplementedError

    def _discard(self, session, name: str) -> None:
        """Best effort after a failed rename, so no temporary file is left behind."""
        with contextlib.suppress(Exception):
            self._delete(session, name)

    @staticmethod
    def filename(story_pk: int) -> str:
        return f"hoitu-story-{story_pk}.xml"

    @staticmethod
    def temporary_name(final: str, key: str) -> str:
        # Hidden (receivers skip dot files), and the same for a retry of this delivery,
        # so a retry overwrites what a broken attempt left.
        return f".{final}.{key[-12:].replace(':', '-')}.part"

    def publish(self, story, *, remote_id: str, progress: dict, key: str) -> str:
        from ..sharing import newsml_item

        data = newsml_item(story)
        final = self.filename(story.pk)
        temporary = self.temporary_name(final, key)
        with self._session() as session:
            self._store(session, temporary, data)
            try:
                self._replace(session, temporary, final)
            except Exception:
                self._discard(session, temporary)
                raise
        return final

    def remove(self, *, story_pk: int, remote_id: str, progress: dict, key: str) -> None:
        with self._session() as session:
            self._delete(session, remote_id or self.filename(story_pk))
