"""Dates in Chromium mean the day/month/year the staff member sees: a deadline typed as
25/12/2026 17:00 is the 25th of December (not refused), a go-live set to 05/12/2026 07:30
in the page editor's schedule dialog is the 5th of December (not the 12th of May), and
opening and saving again changes neither."""

import datetime
import zoneinfo

import pytest
from playwright.sync_api import expect

from newsroom.models import Assignment, StoryPage
from tests.browser import chromium, shot, staff_page
from tests.newsroom.helpers import section_of

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ASSIGNMENTS = "/admin/snippets/newsroom/assignment/"


def pick_day(page, field, day, outside=None):
    """Opens the date-time picker of `field`, clicks `day` in the month it shows (keeping
    the time) and returns that (year, month): the picker reads the field with the same
    d/m/Y format the server wrote it in. A click on `outside` then closes the picker."""
    picker = page.locator(".xdsoft_datetimepicker:visible")
    page.wait_for_timeout(300)  # a focused field opens its picker after 100 ms
    if picker.count() == 0:  # a click on a field whose picker is open closes it
        page.locator(field).click()
    expect(picker).to_have_count(1)
    cell = picker.locator(f"td.xdsoft_date:not(.xdsoft_other_month)[data-date='{day}']")
    year, month = (int(cell.get_attribute(a)) for a in ("data-year", "data-month"))
    cell.click()
    if outside is not None:
        outside.click()
        expect(picker).to_have_count(0)
    return year, month + 1  # the picker counts months from 0


def open_status_panel(page):
    """The page editor's status panel (Wagtail remembers whether it was left open)."""
    status = page.locator("[data-side-panel=status]")
    if not status.is_visible():
        page.locator("[data-side-panel-toggle=status]").first.click()
    expect(status).to_be_visible()
    return status


def choose(page, name, label, *, search=None, parent=None):
    """Picks `label` for field `name` as staff do: from a select, or through Wagtail's
    chooser modal (searching for it; `parent` tells apart pages of the same title)."""
    field = page.locator(f"#id_{name}")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(label=label)
        return
    page.locator(f"#id_{name}-chooser .unchosen [data-chooser-action-choose]").click()
    modal = page.locator(".modal-dialog:visible")
    expect(modal).to_be_visible()
    if search:
        modal.locator("input[name=q]").fill(search)
    rows = modal.locator("tbody tr", has=page.get_by_role("link", name=label, exact=True))
    if parent:
        rows = rows.filter(has_text=parent)
    rows.first.get_by_role("link", name=label, exact=True).click()
    expect(modal).to_be_hidden()


def save_snippet(page):
    with page.expect_navigation():
        page.locator("footer button[type=submit]").first.click()
    expect(page.locator(".messages li.success").first).to_be_visible()


@pytest.mark.browser
def test_deadline_on_the_25th_and_go_live_on_the_5th_in_chromium(
    live_server, demo, demo_password, settings
):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # the save clicks are the only saves
    section = section_of("baothanhhoa", "thoi-su")
    title = "Lũ quét ở Mường Lát: đường vào bản Pù Đứa bị chia cắt"
    with chromium() as browser:
        # The managing editor gives the assignment, typing the deadline as shown.
        page = staff_page(browser, live_server.url, "thuky.baothanhhoa", demo_password)
        page.goto(ASSIGNMENTS + "add/")
        page.fill("#id_title", title)
        page.fill("#id_brief", "Đến hiện trường, phỏng vấn người dân và chính quyền xã.")
        page.locator("input[name=formats][value=text]").check()
        # Their only agency is already chosen.
        expect(page.locator("#id_agency-chooser")).to_contain_text("Báo Thanh Hóa")
        choose(page, "section", "Thời sự", search="Thời sự", parent="Báo Thanh Hóa")
        page.locator("#id_deadline").fill("25/12/2026 17:00")
        title_field = page.locator("#id_title")
        assert pick_day(page, "#id_deadline", 25, title_field) == (2026, 12)
        expect(page.locator("#id_deadline")).to_have_value("25/12/2026 17:00")
        shot(page, "dates-assignment-new")
        save_snippet(page)
        assignment = Assignment.objects.get(title=title)
        deadline = datetime.datetime(2026, 12, 25, 17, 0, tzinfo=HCM)
        assert assignment.deadline == deadline

        # Re-opened, the form shows the same day, the picker marks the 25th of December,
        # and saving it unchanged keeps the deadline.
        for _ in range(2):
            page.goto(ASSIGNMENTS + f"edit/{assignment.pk}/")
            expect(page.locator("#id_deadline")).to_have_value("25/12/2026 17:00")
            assert pick_day(page, "#id_deadline", 25, title_field) == (2026, 12)
            expect(page.locator("#id_deadline")).to_have_value("25/12/2026 17:00")
            save_snippet(page)
            assignment.refresh_from_db()
            assert assignment.deadline == deadline
        shot(page, "dates-assignment-list")
        page.context.close()

        # The editor-in-chief sets a go-live for the 5th in the schedule dialog.
        page = staff_page(browser, live_server.url, "tongbientap.baothanhhoa", demo_password)
        page.goto(f"/admin/pages/add/newsroom/storypage/{section.pk}/")
        headline = "Đón đoàn khách đầu tiên qua cửa khẩu Na Mèo"
        page.fill("#id_title", headline)
        status = open_status_panel(page)
        status.locator("[data-a11y-dialog-show=schedule-publishing-dialog]").first.click()
        dialog = page.locator("#schedule-publishing-dialog")
        go_live_field = "#schedule-publishing-dialog [name=go_live_at]"
        page.locator(go_live_field).fill("05/12/2026 07:30")
        assert pick_day(page, go_live_field, 5) == (2026, 12)
        expect(page.locator(go_live_field)).to_have_value("05/12/2026 07:30")
        expect(dialog).to_be_visible()
        shot(page, "dates-schedule-dialog")
        with page.expect_navigation():
            dialog.locator("button.action-save").press("Enter")  # the picker covers it
        expect(page.locator(".messages li.success").first).to_be_visible()
        story = StoryPage.objects.get(title=headline)
        go_live = datetime.datetime(2026, 12, 5, 7, 30, tzinfo=HCM)
        assert story.get_latest_revision_as_object().go_live_at == go_live

        for _ in range(2):
            page.goto(f"/admin/pages/{story.pk}/edit/")
            status = open_status_panel(page)
            expect(status).to_contain_text("07:30 ngày 05/12/2026")
            status.locator("[data-a11y-dialog-show=schedule-publishing-dialog]").first.click()
            field = dialog.locator("input[name=go_live_at]")
            expect(field).to_have_value("05/12/2026 07:30")
            assert pick_day(page, go_live_field, 5) == (2026, 12)
            expect(field).to_have_value("05/12/2026 07:30")
            expect(dialog).to_be_visible()
            with page.expect_navigation():
                dialog.locator("button.action-save").press("Enter")  # the picker covers it
            expect(page.locator(".messages li.success").first).to_be_visible()
            assert story.get_latest_revision_as_object().go_live_at == go_live
        open_status_panel(page)
        shot(page, "dates-schedule-saved")
