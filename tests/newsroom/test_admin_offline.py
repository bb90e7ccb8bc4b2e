"""The newsroom works offline and sends nothing abroad: the admin names no outside host."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_admin_dashboard_calls_no_outside_service(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="phongvien.baothanhhoa"))
    html = client.get("/admin/").content.decode()
    assert "gravatar.com" not in html
    # Wagtail's release check and "what's new" banner fetch from wagtail.org.
    assert not re.search(r"data-w-upgrade|releases\.wagtail\.io|w-whats-new", html)


def test_help_menu_has_no_wagtail_org_pages(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="phongvien.baothanhhoa"))
    html = client.get("/admin/").content.decode()
    assert "docs.wagtail.org" not in html and "guide.wagtail.org" not in html
    assert "keyboard-shortcuts-trigger" in html  # the rest of the Help menu stays
