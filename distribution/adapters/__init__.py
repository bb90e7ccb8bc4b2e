"""Adapters to outside platforms. Each takes a platform and a story's public view and
raises `TransientError` (retry with backoff) or `PermanentError` (never retried)."""

from .base import PermanentError, TransientError


def adapter_for(platform):
    from ..models import PlatformKind
    from .ftp import FtpAdapter
    from .http_push import HttpPushAdapter
    from .sftp import SftpAdapter
    from .zalo import ZaloAdapter

    classes = {
        PlatformKind.ZALO_OA: ZaloAdapter,
        PlatformKind.HTTP_PUSH: HttpPushAdapter,
        PlatformKind.FTP: FtpAdapter,
        PlatformKind.SFTP: SftpAdapter,
    }
    try:
        return classes[platform.kind](platform)
    except KeyError:
        raise PermanentError(f"Unknown platform kind {platform.kind!r}") from None


__all__ = ["PermanentError", "TransientError", "adapter_for"]
