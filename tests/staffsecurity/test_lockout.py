"""Password spraying (the audit: 33 wrong passwords over 11 staff accounts from one
address, no lockout) is stopped per address across accounts, on the Vietnamese lockout
page, with one alert to the administrators."""

import logging

import pytest
from django.core import mail
from django.test import Client

from .conftest import READER_PASSWORD

ATTACKER = "203.0.113.50"


def admin_login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def test_spraying_staff_accounts_locks_the_address(staff_names, demo_password, caplog):
    client = Client(REMOTE_ADDR=ATTACKER)
    caplog.set_level(logging.WARNING, logger="staffsecurity.lockout")
    statuses = []
    for round_ in range(3):  # 3 guesses on each of 11 accounts, as the audit did
        for username in staff_names[:11]:
            statuses.append(admin_login(client, username, f"doan-sai-{round_}").status_code)
    assert statuses[:19] == [200] * 19  # the login form again, with its error
    assert set(statuses[19:]) == {429}  # the 20th failure from the address locks it

    # During the lockout even the right password is refused, on any account.
    refused = admin_login(client, staff_names[11], demo_password)
    assert refused.status_code == 429 and not logged_in(client)
    page = refused.content.decode()
    assert "Tạm khóa đăng nhập" in page
    assert "nhiều tài khoản khác nhau" in page and ATTACKER in page
    assert "thử lại sau" in page and "bộ phận quản trị hệ thống của cơ quan" in page
    assert int(refused["Retry-After"]) == 3600

    # One alert for the whole lockout, not one per refused attempt.
    (alert,) = mail.outbox
    assert "quantri@hoitu.demo" in alert.to
    assert ATTACKER in alert.subject and "axes_reset_ip" in alert.body
    lines = [r for r in caplog.records if "Login lockout of address" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelname == "WARNING"

    # Colleagues elsewhere are not affected.
    other = Client(REMOTE_ADDR="203.0.113.60")
    assert admin_login(other, staff_names[0], demo_password).status_code == 302
    assert logged_in(other)


def test_one_account_still_locks_after_five_failures(staff_names, demo_password):
    client = Client(REMOTE_ADDR="203.0.113.51")
    for _ in range(5):
        admin_login(client, staff_names[0], "doan-sai")
    refused = admin_login(client, staff_names[0], demo_password)
    assert refused.status_code == 429
    assert "Tài khoản này đã đăng nhập sai quá nhiều lần" in refused.content.decode()
    # Another account from the same address is not locked by that account's lockout.
    assert admin_login(client, staff_names[1], demo_password).status_code == 302


def test_a_valid_login_does_not_clear_the_address_count(staff_names, reader):
    """A sprayer with an account of their own (anyone can sign up as a reader) cannot
    start the count again by logging in between guesses."""
    own = reader()
    client = Client(REMOTE_ADDR="203.0.113.52")
    for i in range(19):
        assert admin_login(client, staff_names[i % 11], "doan-sai").status_code == 200
    ok = client.post("/tai-khoan/dang-nhap/", {"username": own.email, "password": READER_PASSWORD})
    assert ok.status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    assert admin_login(client, staff_names[0], "doan-sai").status_code == 429


def test_reader_login_page_is_vietnamese_when_locked(reader):
    client = Client(REMOTE_ADDR="203.0.113.53")
    for i in range(20):
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": f"ai-do-{i}@example.vn", "password": "sai"}
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page and "Về trang chủ" in page


def test_the_address_is_the_client_behind_the_proxy(settings, staff_names, demo_password):
    """Behind nginx every request comes from the proxy: the lockout must fall on the
    sprayer's own address, not on everyone behind the same proxy."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def via_proxy(client_address):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)

    sprayer = via_proxy("198.51.100.66")
    for i in range(20):
        response = admin_login(sprayer, staff_names[i % 11], "doan-sai")
    assert response.status_code == 429 and "198.51.100.66" in response.content.decode()
    colleague = via_proxy("198.51.100.77")
    assert admin_login(colleague, staff_names[0], demo_password).status_code == 302
    # A forged header from outside the proxies changes nothing: still the sender's address.
    forged = Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert admin_login(forged, staff_names[0], demo_password).status_code == 429


def test_a_limit_missing_for_a_lockout_set_stops_the_start(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.HOITU_LOGIN_FAILURE_LIMITS = [5]
    with pytest.raises(SystemCheckError, match="staffsecurity.E001"):
        call_command("check")
