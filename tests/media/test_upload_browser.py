"""A reporter records a radio cut and attaches it to the story they are writing, without
leaving the story editor: Debian's Chromium at desktop size against a live server."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from newsroom.models import Agency, MediaAsset, ProcessingStatus, StoryPage
from newsroom.services import agency_collection
from tests.browser import chromium, save_draft, shot, staff_page
from tests.newsroom.helpers import section_of

from .conftest import ffmpeg

TITLE = "Lũ quét ở Mường Lát: người dân kể lại đêm mưa"
STANDFIRST = "Bản thu tại bản Xa Lung sáng nay, khi nước vừa rút."
CUT_TITLE = "Phỏng vấn trưởng bản Xa Lung"
MENU_CUT_TITLE = "Tiếng suối Xa Lung sau lũ"

# Records every text the upload bar shows, so the test can tell it moved.
RECORD_PROGRESS = """() => {
  window.hoituProgress = [];
  new MutationObserver(() => {
    document.querySelectorAll('[data-hoitu-upload-progress-text]').forEach((el) => {
      const bar = el.parentNode.querySelector('progress');
      const seen = el.textContent + ' | ' + (bar ? bar.value : '');
      if (window.hoituProgress[window.hoituProgress.length - 1] !== seen) window.hoituProgress.push(seen);
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


@pytest.mark.browser
def test_reporter_uploads_a_radio_cut_from_the_story_editor(
    live_server, demo, demo_password, settings, tmp_path
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.HOITU_MEDIA_X264_PRESET = "ultrafast"
    cut = tmp_path / "phong-van-truong-ban.mp3"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=523:duration=3",
        "-af",
        "volume=0.3",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        str(cut),
    )
    section = section_of("baothanhhoa", "thoi-su")
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    baothanhhoa = Agency.objects.get(slug="baothanhhoa")

    with chromium() as browser:
        page = staff_page(browser, live_server.url, reporter.username, demo_password)
        page.goto(f"/admin/pages/add/newsroom/storypage/{section.pk}/")
        page.fill("#id_title", TITLE)
        page.fill("#id_standfirst", STANDFIRST)

        chooser = page.locator("#id_audio-chooser")
        chooser.scroll_into_view_if_needed()
        chooser.get_by_role("button", name="Chọn hoặc tải lên bản phát thanh").click()
        modal = page.locator(".modal-content")
        expect(modal.locator("h1")).to_contain_text("Chọn hoặc tải lên bản phát thanh")
        # Nothing of another agency: ptth's demo cut is not offered.
        expect(modal).to_contain_text("Cơ quan bạn chưa có bản phát thanh nào")
        expect(modal).not_to_contain_text("Demo: bản tin phát thanh")
        shot(page, "media-chooser-empty")

        modal.get_by_role("tab", name="Tải lên âm thanh").click()
        form = modal.locator("form.media-upload")
        form.locator("input[name='media-chooser-upload-file']").set_input_files(str(cut))
        title = form.locator("input[name='media-chooser-upload-title']")
        expect(title).to_have_value("phong-van-truong-ban")  # filled from the file name
        title.fill(CUT_TITLE)

        # A slow uplink (16 KiB/s, as from a district on 3G) so the bar has time to move.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 50,
                "downloadThroughput": -1,
                "uploadThroughput": 16 * 1024,
            },
        )
        page.evaluate(RECORD_PROGRESS)
        form.get_by_role("button", name="Tải lên và chọn").click()
        bar = form.locator("[data-hoitu-upload-progress]")
        expect(bar).to_be_visible()
        expect(bar).to_contain_text(re.compile(r"Đang tải lên… \d+%"))
        shot(page, "media-upload-progress")

        # The modal closes on the answer; the chosen cut shows its processing state.
        expect(modal).to_have_count(0, timeout=60_000)
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        expect(chooser.locator("[data-chooser-title]")).to_have_text(CUT_TITLE)
        status = chooser.locator("[data-hoitu-media-status]")
        expect(status).to_contain_text("Sẵn sàng", timeout=30_000)
        expect(status).to_contain_text("0:03")
        shot(page, "media-cut-attached-ready")

        seen = page.evaluate("window.hoituProgress")
        percents = [int(m.group(1)) for s in seen if (m := re.search(r"Đang tải lên… (\d+)%", s))]
        assert any(0 < p < 100 for p in percents), seen  # it moved, not just 0 → done
        assert any("Đã tải lên 100%" in s for s in seen), seen

        # Save a draft: the story's revision references the cut.
        save_draft(page)
        expect(page.locator(".messages li.success").first).to_be_visible()
        # Reopened, the editor shows the attached cut and its state again.
        chooser = page.locator("#id_audio-chooser")
        expect(chooser.locator("[data-chooser-title]")).to_have_text(CUT_TITLE)
        expect(chooser.locator("[data-hoitu-media-status]")).to_contain_text("Sẵn sàng")
        shot(page, "media-story-draft-saved")

        # The same reporter uploads a second cut from the Media menu.
        page.locator("nav").get_by_role("link", name="Âm thanh / video").click()
        expect(page.locator("#media-results")).to_contain_text(CUT_TITLE)
        page.get_by_role("link", name="Tải lên âm thanh").first.click()
        page.locator("#id_file").set_input_files(str(cut))
        page.fill("#id_title", MENU_CUT_TITLE)
        page.evaluate(RECORD_PROGRESS)
        page.get_by_role("button", name="Tải lên").click()
        expect(page.locator("#media-results")).to_contain_text(MENU_CUT_TITLE, timeout=60_000)
        row = page.locator("tr", has_text=MENU_CUT_TITLE)
        expect(row).to_contain_text("Sẵn sàng")
        expect(row).to_contain_text(agency_collection(agency=baothanhhoa).name)
        shot(page, "media-menu-list")

    asset = MediaAsset.objects.get(title=CUT_TITLE)
    assert asset.type == "audio" and asset.uploaded_by_user == reporter
    assert asset.collection == agency_collection(agency=baothanhhoa)
    assert MediaAsset.objects.get(title=MENU_CUT_TITLE).collection == asset.collection
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    assert asset.renditions.filter(kind="audio_mp3").exists()
    story = StoryPage.objects.get(title=TITLE)
    assert not story.live
    assert story.get_latest_revision_as_object().audio_id == asset.pk
