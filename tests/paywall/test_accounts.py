"""Reader accounts: sign-up, verification, login (throttled), reset, profile, no admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from paywall.models import ReaderProfile
from paywall.selectors import reader_commune_code

from .conftest import BROWSER_UA

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"
# Phường Hạc Thành (Thanh Hóa) in the post-2025 national register.
COMMUNE = None


def a_commune_code():
    from vietnam_provinces import Ward

    return next(int(w.code) for w in Ward.iter_all() if int(w.province_code) == 38)


def signup(client, email, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    data.update(extra)
    return client.post("/tai-khoan/dang-ky/", data)


def test_signup_verify_profile_and_no_admin(demo, django_capture_on_commit_callbacks):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert client.get("/tai-khoan/dang-ky/").status_code == 200
    code = a_commune_code()
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        response = signup(client, "Ban.Doc@Example.vn", commune_code=str(code))
    # Not logged in yet: "check your mail" (the same page an existing address gets).
    assert response.status_code == 200 and "Kiểm tra hộp thư" in response.content.decode()
    assert "_auth_user_id" not in client.session
    user = get_user_model().objects.get(email="ban.doc@example.vn")
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    assert reader_commune_code(user) == code
    profile = ReaderProfile.objects.get(user=user)
    assert not profile.email_verified
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/tai-khoan/xac-nhan-email/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    profile.refresh_from_db()
    assert profile.email_verified
    # The mailed link logged the reader in; used once, it is spent.
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/" + path).status_code == 400
    # An altered token is refused.
    assert client.get("/" + path[:-3] + "xx/").status_code == 400
    # Readers never reach the admin.
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    assert client.get("/admin/pages/").status_code == 302
    # Not even through Wagtail's own login form.
    staff_door = Client()
    staff_door.post("/admin/login/", {"username": "ban.doc@example.vn", "password": PASSWORD})
    assert staff_door.get("/admin/").status_code == 302
    # After sign-up, only local addresses are followed (the link carries none).
    signup(Client(), "next@example.vn", next="/\\evil.example/")
    assert "evil" not in mail.outbox[-1].body
    # Profile page shows and saves the commune.
    page = client.get("/tai-khoan/")
    assert page.status_code == 200 and "Tài khoản của tôi" in page.content.decode()
    assert client.post("/tai-khoan/", {"commune_code": ""}).status_code == 302
    assert reader_commune_code(user) is None


def test_signup_refuses_bad_input_with_clear_messages(demo, make_reader):
    make_reader("da.co@example.vn")
    client = Client()
    cases = [
        ({"email": "khong-phai-email"}, "email"),
        ({"email": "x@example.vn", "password2": "khac-hoan-toan-2026"}, "không khớp"),
        ({"email": "y@example.vn", "commune_code": "1"}, "Select a valid choice"),
    ]
    before = get_user_model().objects.count()
    for extra, expected in cases:
        response = signup(client, **{"email": "z@example.vn", **extra})
        assert response.status_code == 200
        text = response.content.decode()
        assert expected.lower() in text.lower() or "lựa chọn" in text.lower(), expected
    short = client.post(
        "/tai-khoan/dang-ky/", {"email": "s@example.vn", "password1": "123", "password2": "123"}
    )
    assert short.status_code == 200
    assert get_user_model().objects.count() == before


def test_login_by_email_logout_and_password_reset(
    demo, make_reader, django_capture_on_commit_callbacks
):
    user = make_reader("quen@example.vn")
    client = Client()
    assert (
        client.post(
            "/tai-khoan/dang-nhap/", {"username": "quen@example.vn", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/tai-khoan/").status_code == 200
    client.post("/tai-khoan/dang-xuat/")
    assert client.get("/tai-khoan/").status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reset = client.post("/tai-khoan/quen-mat-khau/", {"email": "quen@example.vn"})
    assert reset.status_code == 302
    (message,) = mail.outbox
    path = re.search(r"/tai-khoan/dat-lai-mat-khau/\S+/\S+/", message.body).group(0)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "mat-khau-moi-cung-dai-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_reader_login_is_throttled_by_axes(demo, make_reader):
    make_reader("khoa@example.vn")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": "khoa@example.vn", "password": "sai-mat-khau"}
        )
    locked = client.post(
        "/tai-khoan/dang-nhap/", {"username": "khoa@example.vn", "password": PASSWORD}
    )
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 403, 429)


def test_plans_page_lists_each_outlets_plans(demo):
    for hostname in ("localhost", "truyenhinh.localhost"):
        page = Client().get("/goi-cuoc/", HTTP_HOST=hostname)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Gói tháng" in html and "30.000 đ" in html


def test_checkout_requires_login_and_valid_promo(demo, make_reader):
    client = Client()
    response = client.post("/goi-cuoc/thang/mua/", {"gateway": "vnpay"})
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    client.force_login(make_reader())
    refused = client.post(
        "/goi-cuoc/thang/mua/", {"gateway": "vnpay", "promo_code": "KHONGCO"}, follow=True
    )
    assert "Mã khuyến mại không tồn tại" in refused.content.decode()
