"""Staff sessions end when idle or too old (time is moved by rewriting the session's own
timestamps); every session of a user ends when the account is disabled or its password
changes; readers stay logged in."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from staffsecurity.sessions import LOGIN_AT, SEEN_AT

from .conftest import READER_PASSWORD

User = get_user_model()


def shift(client, **seconds_ago):
    """Moves the session's login / last-request times into the past."""
    session = client.session
    for key, ago in (("login_at", LOGIN_AT), ("seen_at", SEEN_AT)):
        if key in seconds_ago:
            session[ago] = session[ago] - seconds_ago[key]
    session.save()


def staff_client(username="bientap.baothanhhoa", password=None, address="192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/admin/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_staff_session_ends_after_30_idle_minutes(demo, demo_password, caplog):
    client = staff_client(password=demo_password)
    assert client.get("/admin/").status_code == 200
    shift(client, seen_at=29 * 60)
    assert client.get("/admin/").status_code == 200  # 29 minutes: still working
    shift(client, seen_at=30 * 60 + 1)
    caplog.set_level(logging.INFO, logger="staffsecurity.sessions")
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Phiên làm việc đã hết hạn vì không thao tác trong 30 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("idle timeout" in r.getMessage() for r in caplog.records)


def test_a_request_keeps_the_staff_session_alive(demo, demo_password):
    client = staff_client(password=demo_password)
    for _ in range(3):  # 3 x 20 minutes, a request in between each
        shift(client, seen_at=20 * 60, login_at=20 * 60)
        assert client.get("/admin/").status_code == 200


def test_staff_session_ends_12_hours_after_login(demo, demo_password):
    client = staff_client(password=demo_password)
    shift(client, login_at=12 * 3600 + 1)  # busy all day: last request just now
    response = client.get("/admin/", follow=True)
    assert "Phiên làm việc đã hết hạn (12 giờ kể từ lúc đăng nhập)" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_readers_are_not_timed_out(reader):
    user = reader()
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": READER_PASSWORD})
    shift(client, seen_at=10 * 86400, login_at=10 * 86400)
    assert client.get("/tai-khoan/").status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)


def session_exists(client):
    return Session.objects.filter(session_key=client.session.session_key).exists()


def test_password_change_ends_every_session(demo, demo_password):
    phone, office = staff_client(password=demo_password), Client()
    user = User.objects.get(username="bientap.baothanhhoa")
    office.force_login(user)
    assert office.get("/admin/").status_code == 200
    keys = [phone.session.session_key, office.session.session_key]
    user.set_password("mat-khau-moi-that-dai-2026")
    user.save()
    assert not Session.objects.filter(session_key__in=keys).exists()  # deleted server-side
    assert phone.get("/admin/").status_code == 302 and office.get("/admin/").status_code == 302


def test_changing_ones_own_password_keeps_only_that_session(demo, demo_password):
    here, elsewhere = staff_client(password=demo_password), staff_client(password=demo_password)
    gone = elsewhere.session.session_key
    new = "mat-khau-moi-that-dai-2026"
    response = here.post(
        "/admin/account/",
        {
            "password-old_password": demo_password,
            "password-new_password1": new,
            "password-new_password2": new,
            "name_email-first_name": "Biên",
            "name_email-last_name": "Tập",
            "name_email-email": "bientap.baothanhhoa@hoitu.demo",
            "locale-preferred_language": "vi",
            "locale-current_time_zone": "Asia/Ho_Chi_Minh",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="bientap.baothanhhoa").check_password(new)
    assert here.get("/admin/").status_code == 200
    assert not Session.objects.filter(session_key=gone).exists()
    assert elsewhere.get("/admin/").status_code == 302
    # The session kept has a new key, still on the user's list for the next change.
    user = User.objects.get(username="bientap.baothanhhoa")
    user.set_password("mot-mat-khau-khac-2026-dai")
    user.save()
    assert here.get("/admin/").status_code == 302


def test_disabling_an_account_ends_its_sessions(demo, demo_password):
    client = staff_client(username="phongvien.ptth", password=demo_password)
    key = client.session.session_key
    user = User.objects.get(username="phongvien.ptth")
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/admin/").status_code == 302


def test_disabling_in_the_admin_ends_its_sessions(demo, demo_password):
    victim = staff_client(username="phongvien.vannghe", password=demo_password)
    key = victim.session.session_key
    admin = Client()
    admin.force_login(User.objects.get(username="quantri"))
    user = User.objects.get(username="phongvien.vannghe")
    form = admin.get(f"/admin/users/edit/{user.pk}/")
    assert form.status_code == 200
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name or "Phóng",
        "last_name": user.last_name or "Viên",
        "password1": "",
        "password2": "",
        "groups": [g.pk for g in user.groups.all()],
        # "is_active" left out: the checkbox unticked
    }
    response = admin.post(f"/admin/users/edit/{user.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=user.pk).is_active
    assert not Session.objects.filter(session_key=key).exists()


def test_reader_password_reset_ends_reader_sessions(reader):
    user = reader()
    phone = Client()
    phone.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": READER_PASSWORD})
    key = phone.session.session_key
    user.set_password("mat-khau-moi-cua-doc-gia-2026")
    user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert phone.get("/tai-khoan/").status_code == 302


def test_login_and_last_login_keep_sessions(demo, demo_password):
    """Saving a user for other reasons (last_login at each login) ends nothing."""
    first = staff_client(password=demo_password)
    staff_client(password=demo_password)
    assert first.get("/admin/").status_code == 200
