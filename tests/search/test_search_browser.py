"""A reader on a phone (390x844, Debian's Chromium) misspells a search: the story is found
anyway, the page says in Vietnamese what was searched instead, and one tap searches exactly
what was typed."""

import pytest

from tests.browser import chromium, new_page, shot
from tests.paywall.conftest import BROWSER_UA
from tests.paywall.server import serve_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_phone_reader_finds_a_misspelt_story_with_a_note(indexed):
    with serve_project() as base_url, chromium() as browser:
        page = new_page(browser, base_url, phone=True, user_agent=BROWSER_UA)
        page.goto("/tim-kiem/")
        page.fill("#search-q", "le hoi lam kihn")
        with page.expect_navigation():
            page.press("#search-q", "Enter")
        first = page.locator(".search-hit h3 a").first
        assert "Lam Kinh" in first.inner_text()
        note = page.locator(".search-forgiven .search-note").first.inner_text()
        assert note.startswith("Không tìm thấy kết quả cho “le hoi lam kihn”")
        assert "“le hoi lam kinh”" in note
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "search-phone-misspelt")
        with page.expect_navigation():
            page.click(".search-forgiven a")
        assert "chinh_xac=1" in page.url
        assert page.locator(".search-empty").inner_text() == "Không tìm thấy tin bài phù hợp."
        assert page.locator(".search-forgiven").count() == 0
