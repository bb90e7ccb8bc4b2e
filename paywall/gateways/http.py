import json
import urllib.error
import urllib.request


class GatewayUnavailable(Exception):
    pass


def post(url: str, body: bytes, content_type: str, timeout: float = 30) -> dict:
    """POST to a gateway and parse its JSON answer. Timeout 30 s: MoMo's documented
    minimum for the create call."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise GatewayUnavailable(str(exc)) from exc
