"""FTP drop: see `drop.FileDrop`. The server's 5xx replies are permanent, its 4xx replies,
lost connections and timeouts transient.

FTPS with explicit TLS by default (RFC 4217: AUTH TLS before the login, PROT P so the
files travel encrypted too); the server's certificate is checked against the system's CA
store, or only against the CA (or self-signed certificate) set on the platform, and must
name the host. A certificate that does not check, or a server that refuses AUTH TLS, fails
the delivery at once (staff fix the platform and press "Gửi lại"); no password is sent.
Plain FTP only on a platform marked "cho phép FTP không mã hóa".

Bandit's B402/B321 (ftplib) are justified here: the client is FTP_TLS unless the agency's
admin marked a platform for plain FTP on purpose (and staff see a warning); SFTP is the
other encrypted kind (adapters/sftp.py)."""

import contextlib
import ftplib  # nosec B402
import io
import logging
import ssl

from django.conf import settings

from .base import PermanentError, TransientError
from .drop import FileDrop

logger = logging.getLogger(__name__)


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """Data connections resume the control connection's TLS session, which servers such
    as vsftpd (require_ssl_reuse) and FileZilla Server insist on."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(
                conn, server_hostname=self.host, session=self.sock.session
            )
        return conn, size


def tls_context(ca_pem: str = "") -> ssl.SSLContext:
    """Certificate and host name checked; `ca_pem` replaces the system store. ValueError
    when the PEM text holds no readable certificate."""
    if not ca_pem.strip():
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cadata=ca_pem.strip())
    except (ssl.SSLError, ValueError, TypeError) as exc:  # TypeError: not ASCII
        raise ValueError(f"unreadable CA certificate: {exc}") from None


class FtpAdapter(FileDrop):
    scheme = "ftp"
    default_port = 21

    def _client(self) -> ftplib.FTP:
        timeout = settings.DISTRIBUTION_HTTP_TIMEOUT
        if self.platform.ftp_plaintext_allowed:
            return ftplib.FTP(timeout=timeout)  # nosec B321
        try:
            context = tls_context(self.platform.tls_ca_certificate)
        except ValueError as exc:
            logger.warning("ftps: platform %s: %s", self.platform.pk, exc)
            raise PermanentError(
                "Chứng chỉ CA đã lưu cho nền tảng không đọc được (cần dạng PEM): sửa ở "
                "Nền tảng phân phối rồi bấm «Gửi lại»."
            ) from None
        return ReusingFTP_TLS(context=context, timeout=timeout)

    def _secure(self, ftp) -> None:
        """AUTH TLS before anything else is said; refusals become clear reasons."""
        where = f"{self.host}:{self.port}"
        try:
            ftp.auth()
        except ssl.SSLCertVerificationError as exc:
            logger.warning(
                "ftps: certificate of %s not trusted for platform %s: %s",
                where,
                self.platform.pk,
                exc.verify_message or exc,
            )
            raise PermanentError(
                f"Chứng chỉ TLS của máy chủ FTP {where} không được tin cậy "
                f"({exc.verify_message or exc}); chưa gửi mật khẩu hay tệp nào. Hãy đối chiếu "
                "với quản trị máy chủ, dán chứng chỉ CA của họ vào nền tảng rồi bấm «Gửi lại»."
            ) from None
        except ftplib.error_perm as exc:
            logger.warning(
                "ftps: %s refused AUTH TLS for platform %s: %s", where, self.platform.pk, exc
            )
            raise PermanentError(
                f"Máy chủ FTP {where} không nhận FTPS (AUTH TLS: {exc}); chưa gửi mật khẩu "
                "hay tệp nào. Chỉ giao qua FTP không mã hóa khi nền tảng được đánh dấu "
                "«cho phép FTP không mã hóa»."
            ) from None

    @contextlib.contextmanager
    def _session(self):
        ftp = self._client()
        try:
            ftp.connect(self.host, self.port)
            if isinstance(ftp, ftplib.FTP_TLS):
                self._secure(ftp)
            ftp.login(
                self.credentials.get("username", "anonymous"),
                self.credentials.get("password", ""),
            )
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()  # the files travel encrypted too
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
