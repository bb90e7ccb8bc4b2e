"""Security headers (issue 11, level 3): a Content-Security-Policy without 'unsafe-inline'
on reader pages (the Wagtail admin keeps a looser one), Permissions-Policy,
Referrer-Policy, and /.well-known/security.txt (RFC 9116)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", ["/", "/tim-kiem/?q=lua", "/tai-khoan/dang-nhap/", "/goi-cuoc/"])
def test_reader_pages_have_a_strict_csp_and_the_other_headers(demo, path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    for name in ("script-src", "style-src"):
        assert policy[name] == ["'self'"], policy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    # A checkout ends at the gateway's page: VNPay's live (pay.vnpay.vn) and sandbox
    # (sandbox.vnpayment.vn), MoMo's and ZaloPay's.
    for origin in ("*.vnpay.vn", "*.vnpayment.vn", "*.momo.vn", "*.zalopay.vn"):
        assert f"https://{origin}" in policy["form-action"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_story_page_has_no_inline_script_or_style(demo):
    from newsroom.models import StoryPage

    story = StoryPage.objects.live().filter(video__isnull=False).first()
    response = Client(HTTP_HOST=story.get_site().hostname).get(story.url)
    html = response.content.decode()
    assert response.status_code == 200 and "Content-Security-Policy" in response
    assert not re.search(r"<style", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    # Every <script> is a file or a data block (JSON-LD), never inline code.
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attrs or "application/ld+json" in attrs, attrs
    # Its print version too: the stylesheet is a file (paywall/print.css).
    printed = Client(HTTP_HOST=story.get_site().hostname).get(f"/in/{story.pk}/")
    assert printed.status_code == 200 and "<style" not in printed.content.decode()
    assert "paywall/print.css" in printed.content.decode()


def test_the_admin_keeps_a_looser_policy_for_wagtail(demo, admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]


def test_security_txt_follows_rfc_9116(demo, settings):
    response = Client().get("/.well-known/security.txt", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = [line.split(": ", 1) for line in response.content.decode().splitlines()]
    values = dict(fields)
    assert values["Contact"] == "mailto:security@localhost"
    assert values["Preferred-Languages"] == "vi, en"
    assert values["Canonical"] == "http://localhost/.well-known/security.txt"
    expires = datetime.strptime(values["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    # RFC 9116: in the future, less than a year ahead.
    assert timedelta(days=30) < expires - datetime.now(UTC) < timedelta(days=365)

    settings.HOITU_SECURITY_CONTACT = ["mailto:attt@baothanhhoa.vn", "tel:+84-237-3852-000"]
    settings.HOITU_SECURITY_POLICY_URL = "https://baothanhhoa.vn/chinh-sach-bao-mat/"
    body = Client().get("/.well-known/security.txt").content.decode()
    assert "Contact: mailto:attt@baothanhhoa.vn\nContact: tel:+84-237-3852-000\n" in body
    assert "Policy: https://baothanhhoa.vn/chinh-sach-bao-mat/" in body
    assert Client().post("/.well-known/security.txt").status_code == 405
