"""A reporter starts a story from an assignment ("Viết bài") in Chromium: the headline's
Vietnamese letters give a transliterated address, the commune is found by typing without
diacritics, classification sits on the content tab, the byline is the reporter and the
commune comes from the assignment."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from newsroom.models import Assignment, AssignmentStatus, Place, StoryPage
from tests.browser import chromium, save_draft, shot, staff_page

HEADLINE = "Lũ quét ở Mường Lát: đường đến Trung Lý bị chia cắt"
SLUG = "lu-quet-o-muong-lat-duong-den-trung-ly-bi-chia-cat"
STANDFIRST = "Mưa lớn đêm qua gây lũ quét, nhiều bản của xã Trung Lý bị cô lập."


@pytest.mark.browser
def test_reporter_writes_from_an_assignment_in_vietnamese(
    live_server, demo, demo_password, settings
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # the save click is the only save
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    assignment = Assignment.objects.get(title="Tường thuật phiên họp thường kỳ UBND tỉnh")
    muong_lat = Place.objects.get(name__endswith="Mường Lát")
    trung_ly = Place.objects.get(name__endswith="Trung Lý")
    assignment.place, assignment.formats = muong_lat, ["radio"]
    assignment.save()

    with chromium() as browser:
        page = staff_page(browser, live_server.url, reporter.username, demo_password)
        try:
            _write_from_assignment(page, reporter, assignment, muong_lat, trung_ly)
        except Exception:
            shot(page, "story-editor-failure")
            raise

    story = StoryPage.objects.get(title=HEADLINE)
    revision = story.get_latest_revision_as_object()
    assert story.slug == SLUG
    assert revision.place_id == trung_ly.pk
    assert revision.primary_format == "radio"
    assert [b.author_id for b in revision.bylines.all()] == [reporter.pk]
    assert story.get_parent().pk == assignment.section_id
    assignment.refresh_from_db()
    assert assignment.story_id == story.pk
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def _write_from_assignment(page, reporter, assignment, muong_lat, trung_ly):
    row = page.locator(f"tr.my-assignment[data-assignment='{assignment.pk}']")
    with page.expect_navigation():
        row.get_by_role("link", name="Viết bài").click()
    expect(page.locator(".messages")).to_contain_text("Đã điền sẵn loại hình Phát thanh")

    # The commune and format of the assignment, and the reporter as byline, are there.
    place_input = page.locator("input[name='place']")
    expect(place_input).to_have_value(str(muong_lat.pk))
    place_field = page.locator("[data-contentpath='place']")
    expect(place_field).to_contain_text("Mường Lát")
    expect(page.locator("#id_primary_format")).to_have_value("radio")
    expect(page.locator("#id_bylines-0-author")).to_have_value(str(reporter.pk))

    # Classification sits on the content tab, in Vietnamese.
    content_tab = page.locator("#tab-noi_dung")
    classification = content_tab.locator("section", has_text="Phân loại và quyền đọc")
    expect(classification.first).to_be_visible()
    for name in ("tags", "access_level", "primary_format"):
        expect(content_tab.locator(f"[name='{name}']").first).to_be_attached()
    expect(content_tab).to_contain_text("Thời sự")  # the section
    expect(page.get_by_role("tab", name=re.compile("Tối ưu tìm kiếm"))).to_be_visible()

    # The headline, typed key by key, gives the transliterated address.
    page.locator("#id_title").click()
    page.locator("#id_title").press_sequentially(HEADLINE)
    page.locator("#id_standfirst").click()  # leaving the title applies the slug
    expect(page.locator("#id_slug")).to_have_value(SLUG)
    page.fill("#id_standfirst", STANDFIRST)

    # The commune: change it to Trung Lý, typed without diacritics.
    place_field.locator(".w-dropdown__toggle").click()
    # Wagtail's dropdown menu floats outside the field.
    page.get_by_role("button", name="Chọn xã/phường khác").and_(page.locator(":visible")).click()
    modal = page.locator(".modal-dialog")
    search = modal.locator("input[name='q']")
    expect(search).to_be_visible()
    search.press_sequentially("trung ly")
    result = modal.get_by_role("link", name=trung_ly.name)
    expect(result).to_be_visible()
    expect(modal.get_by_role("link", name=muong_lat.name)).to_have_count(0)
    shot(page, "story-editor-commune-chooser")
    result.click()
    expect(modal).to_be_hidden()
    expect(place_input).to_have_value(str(trung_ly.pk))
    expect(place_field).to_contain_text("Trung Lý")
    shot(page, "story-editor-filled")

    # Save draft.
    save_draft(page)
    expect(page.locator(".messages .success").first).to_be_visible()
    shot(page, "story-editor-saved")
