"""A desk editor, in a real Chromium at desktop size: opens a radio cut's transcript,
plays from a segment, corrects a place name, saves, finds the cut by that word in the
archive search, and makes a draft text story from it."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from newsroom.models import StoryPage
from tests.browser import chromium, shot, staff_page, wait_until
from tests.newsroom.helpers import section_of
from transcripts.models import Transcript

TITLE = "Nga Sơn ra quân thu hoạch lúa chiêm xuân"


@pytest.mark.browser
def test_editor_corrects_a_transcript_finds_it_and_makes_a_draft(
    live_server, demo, demo_password, bao, account, make_cut
):
    account(bao, "viettel")
    cut = make_cut(bao)
    section = section_of("baothanhhoa", "thoi-su")
    editor = get_user_model().objects.get(username="bientap.baothanhhoa")

    with chromium() as browser:
        page = staff_page(browser, live_server.url, editor.username, demo_password)
        page.goto("/admin/ban-ghi-loi/")
        page.get_by_role("link", name=cut.title).click()
        expect(page.locator(".transcript-status")).to_contain_text("Đã có bản ghi")
        segments = page.locator(".transcript-segment")
        expect(segments).to_have_count(6)
        # ▶ on the second segment: the player jumps to its start (1.5 s into the cut).
        segments.nth(1).locator("[data-seek]").click()
        wait_until(page, "document.querySelector('[data-transcript-player]').currentTime >= 1.5")
        field = segments.nth(1).locator("textarea")
        expect(field).to_have_value("sáng nay huyện nga sơn ra quân thu hoạch lúa chiêm xuân")
        field.fill("Sáng nay, huyện Nga Sơn ra quân thu hoạch lúa chiêm xuân.")
        shot(page, "transcript-correcting")
        page.get_by_role("button", name="Lưu bản đã hiệu đính").click()
        expect(page.locator(".messages")).to_contain_text("Đã lưu bản ghi lời đã hiệu đính.")
        expect(page.locator(".transcript-status")).to_contain_text("đã hiệu đính bởi")
        expect(segments.nth(1).locator(".transcript-original")).to_contain_text(
            "Máy nhận dạng: sáng nay huyện nga sơn"
        )
        shot(page, "transcript-corrected")

        page.goto("/admin/tim-kiem-luu-tru/?q=Nga+Son+lua+chiem")
        hits = page.locator("table.transcript-hits")
        expect(hits).to_contain_text(cut.title)
        expect(hits).to_contain_text("huyện Nga Sơn ra quân")
        shot(page, "transcript-archive-search")
        hits.get_by_role("link", name=cut.title).click()

        page.get_by_role("link", name="Tạo bài viết từ bản ghi").click()
        page.fill("#id_title", TITLE)
        page.select_option("#id_section", str(section.pk))
        shot(page, "transcript-story-form")
        page.get_by_role("button", name="Tạo bản nháp").click()
        expect(page.locator("#id_title")).to_have_value(TITLE)
        expect(page.locator(".messages")).to_contain_text("Đã tạo bản nháp")
        shot(page, "transcript-story-draft")

    story = StoryPage.objects.get(title=TITLE)
    assert not story.live and story.get_parent().pk == section.pk
    assert story.audio_id == cut.pk
    assert "huyện Nga Sơn ra quân" in str(story.body)
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.corrected and transcript.corrected_by == editor
