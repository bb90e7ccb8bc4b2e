"""Reader pages: the `next` address that brings a reader back to the story (same-site
paths only), the free-story counter and its cache rule, the access labels in lists, the
forms' phone-friendly attributes, and the dev outbox (DEBUG only)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from paywall.views import safe_next
from tests.support import production_env

from .conftest import BROWSER_UA

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-rat-dai-2026"
ROOT = Path(__file__).resolve().parents[2]

OFF_SITE = [
    "https://ke-gian.example/bai/",
    "http://testserver/goi-cuoc/",  # absolute, even to this host: only paths
    "//ke-gian.example/bai/",
    "/\\ke-gian.example/bai/",
    "\\\\ke-gian.example",
    "/\t/ke-gian.example/",
    "javascript:alert(1)",
    "ke-gian.example/bai/",
    "",
]


@pytest.mark.parametrize("value", OFF_SITE)
def test_next_refuses_anything_but_a_path_on_this_site(value):
    request = RequestFactory().get("/")
    assert safe_next(request, value) == ""


def test_next_keeps_a_local_path_with_its_query():
    request = RequestFactory().get("/")
    assert safe_next(request, "/thoi-su/bai-a/?qua=1") == "/thoi-su/bai-a/?qua=1"


def test_signup_and_login_follow_only_local_next(
    demo, make_reader, django_capture_on_commit_callbacks
):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    data = {"email": "moi@example.vn", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is queued after commit (outbox)
        response = client.post("/tai-khoan/dang-ky/?next=https://ke-gian.example/", data)
    assert response.status_code == 200 and "ke-gian" not in response.content.decode()
    # The verification link carries no off-site address either.
    assert "ke-gian" not in mail.outbox[-1].body
    client.logout()
    user = make_reader()
    for bad in ("https://ke-gian.example/", "//ke-gian.example/", "http://testserver/x/"):
        client = Client(HTTP_USER_AGENT=BROWSER_UA)
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": user.email, "password": PASSWORD, "next": bad}
        )
        assert response.status_code == 302 and response["Location"] == "/tai-khoan/", bad
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": user.email, "password": PASSWORD, "next": "/thoi-su/bai-a/"},
    )
    assert response["Location"] == "/thoi-su/bai-a/"


def test_signup_sends_a_verification_link_that_leads_back_to_the_story(
    demo, django_capture_on_commit_callbacks
):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    data = {"email": "quay-lai@example.vn", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tai-khoan/dang-ky/?next=/thoi-su/bai-a/", data)
    assert response.status_code == 200
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page = client.get(link.split("testserver", 1)[1])
    assert page.status_code == 200
    assert 'href="/thoi-su/bai-a/"' in page.content.decode()


def test_checkout_keeps_a_local_next_for_the_return_page_and_drops_an_off_site_one(
    demo, make_reader, stories, settings
):
    settings.DEBUG = True
    settings.PAYWALL_IMITATION_GATEWAYS = True
    from paywall.models import Plan

    site = stories["site"]
    plan = Plan.objects.filter(site=site, is_active=True).first()
    story_path = stories["premium"].get_url_parts()[2]
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=site.hostname)
    # Anonymous: sent to log in, then back to the plans, then to the story.
    response = client.post(f"/goi-cuoc/{plan.slug}/mua/", {"gateway": "vnpay", "next": story_path})
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    client.force_login(make_reader())
    for next_value, expected in (("https://ke-gian.example/", None), (story_path, story_path)):
        response = client.post(
            f"/goi-cuoc/{plan.slug}/mua/", {"gateway": "vnpay", "next": next_value}
        )
        imitation = client.get(response["Location"])
        params = {k: v for k, v in imitation.context["params"].items()}
        back = client.post(response["Location"].split("?")[0], dict(params, action="pay"))
        result = client.get(back["Location"])
        html = result.content.decode()
        assert "Thanh toán thành công" in html
        if expected:
            assert f'href="{expected}"' in html and "Đọc tiếp bài viết" in html
        else:
            assert "ke-gian" not in html and "Đọc tiếp bài viết" not in html


def test_counter_shows_the_meters_own_count_and_keeps_the_page_private(demo, stories):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    host = {"HTTP_HOST": stories["site"].hostname}
    limit = 3
    for read, story in enumerate(stories["metered"][:limit], start=1):
        response = client.get(story.get_url_parts()[2], **host)
        html = response.content.decode()
        counter = re.search(r'class="meter-bar"[^>]*data-remaining="(\d+)"', html)
        assert counter and int(counter.group(1)) == limit - read
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    # Reopening a counted story costs nothing and says the same count.
    again = client.get(stories["metered"][0].get_url_parts()[2], **host).content.decode()
    assert 'data-remaining="0"' in again
    # Out of free stories: the wall, no counter.
    wall = client.get(stories["metered"][limit].get_url_parts()[2], **host).content.decode()
    assert "paywall-wall" in wall and "meter-bar" not in wall
    # A free story has no counter.
    free = client.get(stories["free"].get_url_parts()[2], **host).content.decode()
    assert "meter-bar" not in free


def test_logged_in_reader_reopening_a_story_sees_the_count(demo, stories, make_reader):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(make_reader())
    host = {"HTTP_HOST": stories["site"].hostname}
    first, second = (s.get_url_parts()[2] for s in stories["metered"][:2])
    client.get(first, **host)
    client.get(second, **host)
    html = client.get(first, **host).content.decode()
    assert 'data-remaining="1"' in html and "Bạn còn <strong>1/3</strong>" in html


def test_subscriber_sees_no_counter(demo, stories, make_reader, subscribe):
    user = make_reader()
    subscribe(user, stories["site"])
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)
    html = client.get(
        stories["metered"][0].get_url_parts()[2], HTTP_HOST=stories["site"].hostname
    ).content.decode()
    assert "meter-bar" not in html and "paywall-paid" in html


def test_lists_label_premium_and_metered_stories_in_words(demo, stories):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    html = client.get(stories["site"].root_page.url, HTTP_HOST=stories["site"].hostname)
    text = html.content.decode()
    assert 'class="badge badge-premium">Thu phí' in text
    assert 'class="badge badge-metered">Giới hạn' in text


def test_reader_forms_have_autocomplete_and_vietnamese_errors(demo):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    signup = client.get("/tai-khoan/dang-ky/").content.decode()
    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"', signup)
    assert signup.count('autocomplete="new-password"') == 2
    login = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'autocomplete="current-password"' in login and 'autocomplete="username"' in login
    bad = {"email": "khong-phai-email", "password1": "12345", "password2": "123456"}
    html = client.post("/tai-khoan/dang-ky/", bad).content.decode()
    assert "Nhập một địa chỉ email hợp lệ." in html
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in html
    assert "Hai mật khẩu không khớp." in html
    assert "This password" not in html and 'aria-invalid="true"' in html


def test_dev_outbox_is_absent_without_debug(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/tmp"
    settings.DEBUG = False
    assert Client().get("/dev/hop-thu/").status_code == 404


def test_dev_outbox_is_absent_in_production_settings():
    env = production_env()
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='bao.example.vn').get('/dev/hop-thu/', secure=True)\n"
        "print(r.status_code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "404", out.stderr[-2000:]


def test_dev_outbox_shows_sent_mail_with_clickable_links_in_debug(
    demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    data = {"email": "hop-thu@example.vn", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tai-khoan/dang-ky/", data)
    response = client.get("/dev/hop-thu/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xác nhận email tài khoản độc giả" in html and "hop-thu@example.vn" in html
    assert re.search(r'<a href="http://testserver/tai-khoan/xac-nhan-email/[^"]+"', html)


def test_rundev_names_the_dev_outbox(settings):
    from newsroom.management.commands.rundev import Command

    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/tmp/mail-dev"
    command = Command()
    command.port = "8123"
    assert command.outbox_line() == "Sent e-mail (dev outbox): http://localhost:8123/dev/hop-thu/"
    settings.DEBUG = False
    assert command.outbox_line() == ""
