"""A real headless Chromium plays a story's video from the 360p rung of the ladder."""

import pytest

from newsroom.models import StoryPage
from tests.browser import chromium, wait_until

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
]
MEDIA_SUFFIXES = (".m3u8", ".ts", ".mp4", ".m4a", ".mp3")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_story_video_plays_360p_and_loads_nothing_before_play(live_server, demo_after_flush):
    story = StoryPage.objects.live().filter(video__isnull=False, access_level="free").first()
    site_id, root_url, path = story.get_url_parts()
    url = live_server.url.replace("localhost", "truyenhinh.localhost") + path
    # A browser of its own: the shared one keeps Chromium's default autoplay policy.
    with chromium(args=CHROMIUM_ARGS) as browser:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        response = page.goto(url)
        assert response.status == 200
        page.wait_for_load_state("networkidle")
        before = [u for u in requests if u.split("?")[0].endswith(MEDIA_SUFFIXES)]
        assert before == [], f"media fetched before play: {before}"
        assert not any("hls.min.js" in u for u in requests), "hls.js loaded before play"
        page.evaluate("document.querySelector('video[data-player]').play()")
        wait_until(page, "document.querySelector('video[data-player]').currentTime > 0.5", 30_000)
        engine = page.evaluate("document.querySelector('video[data-player]').dataset.engine")
        played = [u for u in requests if u.split("?")[0].endswith(MEDIA_SUFFIXES)]
        assert any("/360p/" in u for u in played), (engine, played)
        assert not page.evaluate("document.querySelector('video[data-player]').error")
