"""On a phone in Debian's Chromium: a reader opens a text story, finds the "Nghe bài
viết" player (nothing fetched before play), plays it and hears it advance."""

import pytest

from speech.models import ListenState, StoryAudio
from tests.browser import chromium, reader_page, shot, wait_until
from tests.paywall.server import serve_project

from .conftest import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_reader_plays_the_story_audio_on_a_phone(text_story, django_capture_on_commit_callbacks):
    publish(text_story, django_capture_on_commit_callbacks)
    assert StoryAudio.objects.get(story=text_story).state == ListenState.READY
    path = text_story.get_url_parts()[2]
    # No ORM call from this thread while the browser runs: the server shares the connection.
    with serve_project(media=True) as base, chromium() as browser:
        page = reader_page(browser, base)
        fetched: list[tuple[str, int]] = []
        page.on("response", lambda r: fetched.append((r.url, r.status)))
        page.goto(path, wait_until="networkidle")
        player = page.get_by_role("region", name="Nghe bài viết")
        assert player.is_visible()
        audio = player.locator("audio")
        assert audio.get_attribute("preload") == "none"
        assert not [u for u, _ in fetched if "/speech/" in u], "audio fetched before play"
        # Keyboard: the player is reachable with Tab (native controls).
        audio.focus()
        assert page.evaluate("document.activeElement.tagName") == "AUDIO"
        shot(page, "speech-player-phone")
        page.evaluate("document.querySelector('audio[data-listen]').play()")
        wait_until(
            page,
            "document.querySelector('audio[data-listen]').currentTime > 0.5",
            timeout_ms=30_000,
        )
        assert not page.evaluate("document.querySelector('audio[data-listen]').error")
        assert [s for u, s in fetched if "/speech/" in u and s in (200, 206)]
        page.evaluate("document.querySelector('audio[data-listen]').pause()")
        box = audio.bounding_box()
        assert box["width"] <= 390 and box["height"] >= 32  # fits the phone, big enough to tap
