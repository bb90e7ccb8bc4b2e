"""On a phone in Debian's Chromium: the subscriber plays the premium TV story's video
through its signed links; a free reader gets the wall and no player."""

import pytest

from newsroom.models import StoryPage
from paywall.access import AccessLevel
from tests.browser import chromium, reader_page, shot, wait_until
from tests.paywall.server import serve_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MEDIA_SUFFIXES = (".m3u8", ".ts", ".mp4", ".m4a", ".mp3", ".jpg")


def test_subscriber_plays_premium_video_free_reader_sees_the_wall(demo, demo_password):
    story = (
        StoryPage.objects.live()
        .filter(access_level=AccessLevel.PREMIUM, video__isnull=False)
        .first()
    )
    path = story.get_url_parts()[2]
    # No ORM call from this thread while the browser runs: the server shares the connection.
    with serve_project() as base, chromium() as browser:
        base = base.replace("localhost", "truyenhinh.localhost")

        free = reader_page(browser, base, "docgia.mienphi", demo_password)
        requests: list[str] = []
        free.on("request", lambda r: requests.append(r.url))
        free.goto(path)
        assert free.locator(".paywall-wall").is_visible()
        assert free.locator("video").count() == 0
        assert free.locator("[data-player-locked]").is_visible()
        assert not [u for u in requests if u.split("?")[0].endswith(MEDIA_SUFFIXES)]
        shot(free, "paid-media-free-reader-phone")

        page = reader_page(browser, base, "docgia.thuebao", demo_password)
        fetched: list[tuple[str, int]] = []
        page.on("response", lambda r: fetched.append((r.url, r.status)))
        page.goto(path, wait_until="networkidle")
        assert page.locator(".paywall-wall").count() == 0
        video = page.locator("video[data-player]")
        assert video.is_visible()
        video.scroll_into_view_if_needed()
        page.evaluate("document.querySelector('video[data-player]').play()")
        wait_until(
            page,
            "document.querySelector('video[data-player]').readyState >= 2 && "
            "document.querySelector('video[data-player]').currentTime > 0.5",
            timeout_ms=30_000,
        )
        assert not page.evaluate("document.querySelector('video[data-player]').error")
        media = [(u, s) for u, s in fetched if u.split("?")[0].endswith(MEDIA_SUFFIXES)]
        assert media, "the video fetched nothing"
        assert all("/tep-media/" in u and s in (200, 206) for u, s in media), media
        page.evaluate("document.querySelector('video[data-player]').pause()")
        shot(page, "paid-media-subscriber-phone")
