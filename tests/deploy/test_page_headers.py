"""Cache-Control of reader pages (config/pagecache.py), which nginx's page cache obeys:
public and short for anonymous readers, private for a logged-in reader or an answer that
sets a cookie."""

import pytest
from django.test import Client

from tests.paywall.conftest import BROWSER_UA, host

pytestmark = pytest.mark.django_db


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_anonymous_home_section_and_story_are_public_for_five_seconds(stories):
    story = stories["free"]
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    for page in (story.get_site().root_page, story.get_parent(), story):
        response = client.get(page.get_url_parts()[2], **host(story))
        assert response.status_code == 200
        assert {"public", "max-age=5", "s-maxage=5", "stale-while-revalidate=60"} <= (
            cache_control(response)
        ), page
        assert not response.cookies


def test_logged_in_reader_pages_are_private(stories, django_user_model):
    story = stories["free"]
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(django_user_model.objects.create_user("docgia-cache", "c@example.vn"))
    for page in (story.get_site().root_page, story):
        response = client.get(page.get_url_parts()[2], **host(story))
        assert "private" in cache_control(response) and "public" not in cache_control(response)


def test_an_answer_that_sets_a_cookie_is_private(stories):
    metered = stories["metered"][0]
    response = Client(HTTP_USER_AGENT=BROWSER_UA).get(metered.get_url_parts()[2], **host(metered))
    assert response.cookies and "private" in cache_control(response)
    assert "s-maxage=5" not in response["Cache-Control"]


def test_reader_pages_do_not_vary_on_the_browser_language_the_admin_does(stories):
    story = stories["free"]
    client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    for page in (story.get_site().root_page, story.get_parent(), story):
        response = client.get(page.get_url_parts()[2], **host(story))
        assert response.status_code == 200
        assert "accept-language" not in response.get("Vary", "").lower(), page
        assert 'lang="vi"' in response.content.decode()
    admin = client.get("/admin/login/", **host(story))
    assert "accept-language" in admin["Vary"].lower()
