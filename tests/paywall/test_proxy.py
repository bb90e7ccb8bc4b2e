"""The reader's address behind the site's own proxies (config/middleware.py): right-most
X-Forwarded-For entry past the trusted proxies, and nothing a client can forge. The
paywall's institutional ranges and the login lockout are what depend on it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.middleware import real_client_address

from .conftest import BROWSER_UA, assert_no_paid, assert_paid, host

PROXIES = ("127.0.0.1/32", "10.0.0.0/8")
PASSWORD = "mat-khau-rat-dai-2026"  # make_reader's


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        # Not behind a proxy: whatever the client writes in the header is ignored.
        ("198.51.100.7", "203.113.130.77", "198.51.100.7"),
        # nginx on the same machine appends the client's address.
        ("127.0.0.1", "203.113.130.77", "203.113.130.77"),
        # A forged entry on the left is not taken: the right-most untrusted one is.
        ("127.0.0.1", "203.113.130.77, 198.51.100.7", "198.51.100.7"),
        # Two of our proxies (load balancer, then nginx).
        ("127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        # Garbage stops the walk at our last proxy rather than trusting what lies beyond.
        ("127.0.0.1", "203.113.130.77, not-an-ip, 10.1.2.3", "10.1.2.3"),
        ("127.0.0.1", "[2001:db8::7]:4431", "2001:db8::7"),
        ("127.0.0.1", "198.51.100.7:51000", "198.51.100.7"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_real_client_address(remote, forwarded, expected):
    assert real_client_address(remote, forwarded, PROXIES) == expected


def test_no_trusted_proxies_means_the_header_is_never_read():
    assert real_client_address("127.0.0.1", "203.113.130.77", ()) == "127.0.0.1"


def test_a_malformed_setting_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        real_client_address("127.0.0.1", "198.51.100.7", ("10.0.0.0/33",))


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = list(PROXIES)
    return settings


@pytest.mark.django_db
def test_institution_reads_premium_behind_the_proxy_and_a_forged_header_gets_nothing(
    behind_nginx, stories, provincial_library
):
    story = stories["premium"]

    def get(remote, forwarded):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)  # a new client loads the middleware
        return client.get(
            story.url, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded, **host(story)
        ).content.decode()

    assert_paid(get("127.0.0.1", "203.113.130.77"), story)
    # Sent straight to the app, or with the library's address on the left: no access.
    assert_no_paid(get("198.51.100.7", "203.113.130.77"), story)
    assert_no_paid(get("127.0.0.1", "203.113.130.77, 198.51.100.7"), story)


@pytest.mark.django_db
def test_login_lockout_is_per_reader_not_per_proxy(behind_nginx, demo, make_reader):
    make_reader("khoa@example.vn")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(6):
        attacker.post(
            "/tai-khoan/dang-nhap/", {"username": "khoa@example.vn", "password": "sai-mat-khau"}
        )
    refused = attacker.post(
        "/tai-khoan/dang-nhap/", {"username": "khoa@example.vn", "password": PASSWORD}
    )
    assert refused.status_code in (403, 429)
    # The reader behind the same nginx, from another address, still logs in.
    reader = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.113.130.77")
    response = reader.post(
        "/tai-khoan/dang-nhap/", {"username": "khoa@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    assert "_auth_user_id" in reader.session
