import requests
from django.conf import settings


class DeliveryError(Exception):
    """A platform refused or failed; the message is the platform's reason, shown to staff."""


class TransientError(DeliveryError):
    """Timeouts, 5xx, rate limits, garbage: worth retrying later. `unanswered` is set when
    the request may have reached the platform but no answer came back, so the platform
    may have acted on it."""

    def __init__(self, message: str, *, unanswered: bool = False, retry_after: float = 0):
        super().__init__(message)
        self.unanswered = unanswered
        # The earliest the retry makes sense, in seconds (at least the usual backoff).
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """A refusal that will never succeed as sent (4xx, rejected field): no retry."""


# 408 timeout, 425 too early, 429 rate limited: the same request can succeed later.
TRANSIENT_STATUSES = {408, 425, 429}


def http_error(response: requests.Response, what: str) -> DeliveryError:
    body = (response.text or "")[:300]
    reason = f"{what}: HTTP {response.status_code} {body}".strip()
    if response.status_code >= 500 or response.status_code in TRANSIENT_STATUSES:
        return TransientError(reason)
    return PermanentError(reason)


def request(method: str, url: str, *, what: str, **kwargs) -> requests.Response:
    """One HTTP call with the delivery timeout; network faults become TransientError."""
    kwargs.setdefault("timeout", settings.DISTRIBUTION_HTTP_TIMEOUT)
    try:
        return requests.request(method, url, **kwargs)
    except requests.ConnectTimeout as exc:
        raise TransientError(f"{what}: timed out connecting") from exc
    except requests.Timeout as exc:
        raise TransientError(f"{what}: timed out", unanswered=True) from exc
    except requests.ConnectionError as exc:
        raise TransientError(
            f"{what}: connection failed ({exc.__class__.__name__})", unanswered=True
        ) from exc
    except requests.RequestException as exc:
        raise PermanentError(f"{what}: {exc}") from exc
