"""The workflow as its people click it in Chromium: the reporter submits, the desk editor
sends the story back with a comment, the reporter resubmits, the desk approves, the
editor-in-chief tries a go-live in the past (refused at the top of the editor), then
schedules it; cancelling the workflow asks first. Every label and message is Vietnamese."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from newsroom.models import StoryPage
from tests.browser import chromium, shot, staff_page
from tests.newsroom.helpers import section_of

TITLE = "Đường lên bản Pù Nhi đã thông xe"
STANDFIRST = "Con đường bê tông dài 12 km nối bản Pù Nhi với trung tâm xã."
PARAGRAPH = "Sáng nay, bà con bản Pù Nhi đã đi xe máy về xã chỉ trong 30 phút."
COMMENT = "Thiếu ý kiến người dân; bổ sung trích dẫn."
# Day equal to the month: the meaning is the same whichever way the server reads dd/mm.
PAST = "05/05/2020 07:30"
AHEAD = "05/05/2027 07:30"

FOOTER_ITEMS = "footer .w-dropdown__content .button, footer .w-dropdown-button > .button"


def open_menu(page):
    page.locator("footer .w-dropdown-button .w-dropdown__toggle").first.click()
    expect(page.locator("footer .w-dropdown__content").first).to_be_visible()


def menu_labels(page):
    """The footer's labels as a person reads them (default button first)."""
    labels = [" ".join(t.split()) for t in page.locator(FOOTER_ITEMS).all_inner_texts()]
    return [label for label in labels if label]


def assert_readable(labels):
    for label in labels:
        assert not re.search(r"[a-zà-ỹđ][A-ZĐ]", label), f"glued label: {label!r}"


def success(page):
    message = page.locator(".messages li.success").first
    expect(message).to_be_visible()
    return " ".join(message.inner_text().split())


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def save_go_live(page, value):
    """Types the go-live into the schedule dialog and saves it. Wagtail's date picker stays
    open over the dialog's button after typing; the button is pressed through the page's
    own script (as a click on it would)."""
    page.fill("#id_go_live_at", value)
    with page.expect_navigation():
        page.locator("#schedule-publishing-dialog button[type=submit]").evaluate("b => b.click()")


def open_schedule(page):
    """Opens the schedule dialog from the status side panel (Wagtail keeps that panel
    open from one page to the next)."""
    toggle = page.locator("[data-side-panel-toggle='status']").first
    expect(toggle).to_be_visible()
    opener = page.locator("[data-a11y-dialog-show='schedule-publishing-dialog']:visible")
    if not opener.count():
        toggle.click()
    opener.first.click()
    expect(page.locator("#schedule-publishing-dialog")).to_be_visible()


@pytest.mark.browser
def test_send_back_resubmit_schedule_and_cancel_asks_first(
    live_server, demo, demo_password, settings
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    section = section_of("baothanhhoa", "thoi-su")
    reporter = get_user_model().objects.get(username="phongvien.baothanhhoa")
    base = live_server.url

    with chromium() as browser:
        # The reporter writes the story; the default button sends it to the desk.
        page = staff_page(browser, base, reporter.username, demo_password)
        page.goto(f"/admin/pages/add/newsroom/storypage/{section.pk}/")
        page.fill("#id_title", TITLE)
        page.fill("#id_standfirst", STANDFIRST)
        page.locator("[data-contentpath='body'] button.c-sf-add-button").first.click()
        page.get_by_role("option", name="Đoạn văn").click()
        editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
        editor.click()
        editor.press_sequentially(PARAGRAPH)
        expect(page.locator("input[name='body-0-value']")).to_have_value(
            re.compile(re.escape(PARAGRAPH[-20:]))
        )
        # A new story starts signed by its author.
        expect(page.locator("#id_bylines-0-author")).to_have_value(str(reporter.pk))
        default = page.locator("footer .w-dropdown-button > button").first
        expect(default).to_have_text(re.compile(r"^\s*Gửi biên tập\s*$"))
        click_and_wait(page, default)
        assert f"Đã gửi bài “{TITLE}” cho biên tập viên" in success(page)
        story = StoryPage.objects.get(title=TITLE)
        edit = f"/admin/pages/{story.pk}/edit/"

        # The desk editor sends it back with a comment.
        desk = staff_page(browser, base, "bientap.baothanhhoa", demo_password)
        desk.goto(edit)
        open_menu(desk)
        labels = menu_labels(desk)
        assert_readable(labels)
        assert labels[0] == "Duyệt, chuyển tổng biên tập", labels
        assert "Trả bài kèm nhận xét" in labels
        shot(desk, "workflow-desk-menu")
        desk.locator("footer button[data-workflow-action-name='reject']").click()
        modal = desk.locator(".modal-dialog, .modal").first
        expect(modal).to_be_visible()
        modal.locator("textarea").first.fill(COMMENT)
        with desk.expect_navigation():
            modal.locator("button[type=submit]").first.click()
        text = success(desk)
        assert f"Đã trả bài “{TITLE}” về cho phóng viên" in text
        assert "kèm nhận xét" in text
        shot(desk, "workflow-desk-sent-back")

        # The reporter resubmits: the default button says so.
        page.goto(edit)
        default = page.locator("footer .w-dropdown-button > button").first
        expect(default).to_have_text(re.compile(r"^\s*Gửi lại biên tập\s*$"))
        click_and_wait(page, default)
        assert f"Đã gửi lại bài “{TITLE}” cho biên tập viên" in success(page)

        # The desk approves: the story goes to the editor-in-chief.
        desk.goto(edit)
        click_and_wait(desk, desk.locator("footer .w-dropdown-button > button").first)
        assert f"Đã duyệt bài “{TITLE}” và gửi cho tổng biên tập" in success(desk)

        # The editor-in-chief: "Hủy quy trình" is last and asks; dismissing changes nothing.
        eic = staff_page(browser, base, "tongbientap.baothanhhoa", demo_password)
        eic.goto(edit)
        open_menu(eic)
        labels = menu_labels(eic)
        assert_readable(labels)
        assert labels[0] == "Duyệt và xuất bản", labels
        assert labels[-1] == "Hủy quy trình", labels
        shot(eic, "workflow-eic-menu")
        eic.locator("footer [data-newsroom-asks='action-cancel-workflow']").click()
        dialog = eic.locator("#xac-nhan-action-cancel-workflow")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("Hủy quy trình duyệt?")
        shot(eic, "workflow-eic-cancel-asks")
        dialog.get_by_role("button", name="Không, giữ nguyên").click()
        expect(dialog).to_be_hidden()
        assert eic.url.endswith(edit)
        story.refresh_from_db()
        assert story.current_workflow_task.name.startswith("Tổng biên tập")

        # A go-live in the past: a clear error at the top, the dialog closed, nothing saved.
        open_schedule(eic)
        save_go_live(eic, PAST)
        error = eic.locator(".messages li.error").first
        expect(error).to_be_visible()
        expect(error).to_contain_text("Lịch đăng không hợp lệ: thời điểm lên bài 07:30 ngày")
        expect(error).to_contain_text("Bài chưa được lưu, chưa được hẹn giờ")
        expect(eic.locator("#schedule-publishing-dialog")).to_be_hidden()
        shot(eic, "workflow-eic-past-go-live")
        story.refresh_from_db()
        assert not story.revisions.filter(approved_go_live_at__isnull=False).exists()
        assert story.get_latest_revision_as_object().go_live_at is None

        # A go-live ahead: saved, then "Duyệt và hẹn giờ đăng" schedules it.
        eic.goto(edit)
        open_schedule(eic)
        save_go_live(eic, AHEAD)
        default = eic.locator("footer .w-dropdown-button > button").first
        expect(default).to_have_text(re.compile(r"^\s*Duyệt và hẹn giờ đăng\s*$"))
        click_and_wait(eic, default)
        assert "Bài sẽ lên lúc 07:30 ngày 05/05/2027" in success(eic)
        shot(eic, "workflow-eic-scheduled")
        story.refresh_from_db()
        assert not story.live
        assert story.revisions.filter(approved_go_live_at__isnull=False).exists()
