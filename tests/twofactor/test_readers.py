"""Readers opt in to two-factor authentication from /tai-khoan/; once enrolled, the
reader login asks the code after the password, and a password alone opens nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import code_for, wait_out_throttle

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36"


def reader_login(client, email, next_url="/tai-khoan/"):
    return client.post(
        "/tai-khoan/dang-nhap/", {"username": email, "password": PASSWORD, "next": next_url}
    )


def test_reader_opts_in_and_is_asked_the_code_at_login(demo):
    reader = get_user_model().objects.create_user("doc.gia", "doc.gia@example.vn", PASSWORD)
    client = Client(HTTP_USER_AGENT=UA)
    assert reader_login(client, "doc.gia@example.vn")["Location"] == "/tai-khoan/"
    account = client.get("/tai-khoan/").content.decode()
    assert "Bật xác thực hai bước" in account
    enrol = client.get("/tai-khoan/xac-thuc/dang-ky/")
    assert enrol.status_code == 200 and "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=reader, confirmed=False)
    done = client.post("/tai-khoan/xac-thuc/dang-ky/", {"code": code_for(device)})
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code>", done.content.decode())
    assert len(codes) == 10
    assert "Quản lý xác thực hai bước" in client.get("/tai-khoan/").content.decode()
    client.post("/tai-khoan/dang-xuat/")

    # Next login: the password leads to the second step, not to the account.
    again = Client(HTTP_USER_AGENT=UA)
    step = reader_login(again, "doc.gia@example.vn")
    assert step["Location"] == "/tai-khoan/xac-thuc/?next=%2Ftai-khoan%2F"
    assert again.get("/tai-khoan/")["Location"].startswith("/tai-khoan/dang-nhap/")
    wrong = again.post("/tai-khoan/xac-thuc/", {"code": "12345678", "next": "/tai-khoan/"})
    assert "Mã không đúng" in wrong.content.decode()
    assert again.get("/tai-khoan/").status_code == 302
    device.refresh_from_db()
    ok = again.post(
        "/tai-khoan/xac-thuc/", {"code": code_for(device, steps_ahead=1), "next": "/tai-khoan/"}
    )
    assert ok["Location"] == "/tai-khoan/"
    assert again.get("/tai-khoan/").status_code == 200

    # A reader may turn it off again, with password and a current code.
    off = again.post(
        "/tai-khoan/xac-thuc/quan-ly/",
        {"password": PASSWORD, "code": code_for(device, steps_ahead=-1), "action": "go-bo"},
    )
    assert off.status_code == 200 and "Mã không đúng" in off.content.decode()  # used up: older
    assert TOTPDevice.objects.filter(user=reader).exists()
    wait_out_throttle(reader)  # django-otp's throttle after the wrong recovery code above
    off = again.post(
        "/tai-khoan/xac-thuc/quan-ly/", {"password": PASSWORD, "code": codes[0], "action": "go-bo"}
    )
    assert off["Location"] == "/tai-khoan/"
    assert not TOTPDevice.objects.filter(user=reader).exists()
    assert again.get("/tai-khoan/").status_code == 200


def test_reader_without_second_factor_logs_in_as_before(demo):
    get_user_model().objects.create_user("doc.gia2", "doc.gia2@example.vn", PASSWORD)
    client = Client(HTTP_USER_AGENT=UA)
    assert reader_login(client, "doc.gia2@example.vn")["Location"] == "/tai-khoan/"
    assert client.get("/tai-khoan/").status_code == 200
