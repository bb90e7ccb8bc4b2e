class MediaRejected(Exception):
    """The file is not usable media (not media, corrupt, empty, too large, unknown codec).
    Permanent: retrying cannot help. `reason` is shown to staff (Vietnamese); `detail` goes
    to the log (English)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


class TransientMediaError(Exception):
    """Storage or database unavailable for a moment: the task retries with backoff."""
