"""The shipped nginx site (deploy/nginx/hoitu.conf) run for real on 127.0.0.1 high ports,
with test paths, a self-signed certificate and a gunicorn started on the test database
with the shipped deploy/gunicorn.conf.py. The rendering for loopback is deploy/loopback.py,
which the benchmarks under bench/ use too."""

import pytest

from deploy import loopback
from deploy.loopback import REFRESH_KEY, ROOT, SITE, free_port, wait_for_port  # noqa: F401
from tests.paywall.conftest import stories  # noqa: F401  (free and metered demo stories)


def nginx_binary() -> str:
    found = loopback.nginx_binary()
    if not found:
        pytest.fail(
            "nginx is missing: tests/deploy run the shipped nginx site. "
            "Install it with scripts/install-system-deps.sh (make system-deps)."
        )
    return found


class Nginx(loopback.Nginx):
    """The shipped site under a test prefix: ports, paths and the upstream substituted."""

    def __init__(self, tmp, app_port, **options):
        nginx_binary()
        super().__init__(tmp, app_port, **options)


@pytest.fixture
def nginx_site(tmp_path):
    """The shipped site in front of a port nothing listens on (yet)."""
    site = Nginx(tmp_path, free_port())
    yield site
    site.stop()
