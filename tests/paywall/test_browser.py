"""Headless Chromium with JavaScript disabled: the gate is in the HTML, not in a script."""

import html as htmllib

import pytest

from tests.browser import chromium

from .conftest import paid_snippets
from .server import serve_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_paid_text_absent_without_javascript_until_subscriber_logs_in(demo):
    from newsroom.models import StoryPage
    from paywall.access import AccessLevel

    story = (
        StoryPage.objects.live()
        .filter(access_level=AccessLevel.PREMIUM)
        .filter(url_path__startswith="/baothanhhoa/")
        .first()
    )
    snippets = paid_snippets(story)
    path = story.get_url_parts()[2]
    # No ORM call from here on in this thread: Playwright's sync API runs an event loop.
    with serve_project() as base, chromium() as browser:
        url = base + path
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        response = page.goto(url)
        assert response.status == 200
        anonymous_html = htmllib.unescape(page.content())
        wall_visible = page.locator(".paywall-wall").is_visible()
        paid_count = page.locator(".paywall-paid").count()
        page.goto(base + "/tai-khoan/dang-nhap/")
        page.fill("input[name=username]", "docgia.thuebao")
        page.fill("input[name=password]", "hoitu-demo")
        # The login form's own button (the header has a search form too).
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto(url)
        subscriber_html = htmllib.unescape(page.content())
        paid_text = page.locator(".paywall-paid").inner_text()
    assert wall_visible and paid_count == 0
    for snippet in snippets:
        assert snippet not in anonymous_html
        assert snippet in subscriber_html
    assert snippets[0][:30] in paid_text
