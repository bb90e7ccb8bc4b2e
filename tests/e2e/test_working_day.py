"""Issue 10's "done when": the working day of Báo Thanh Hóa in Debian's Chromium, as new
users walk it. The managing editor assigns a story with a deadline on the 25th; the reporter
writes it from "Việc của tôi" with a headline full of Vietnamese letters, a commune found by
typing without diacritics and a radio cut recorded (ffmpeg) and uploaded from the story
editor; the desk sends it back with a comment and approves the resubmission; the
editor-in-chief schedules it on a day after the 12th, then publishes it at once (clears the
go-live in the schedule dialog and clicks "Xuất bản": the path the editor offers to bring a
scheduled story forward), and reads the statistics and paywall figures, charts drawn.

On every screen each of them sees, no English interface word (tests/i18n/english.py) and no
date in month/day order."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from newsroom.models import Assignment, AssignmentStatus, MediaAsset, Place, StoryPage
from tests.browser import chromium, footer_action, shot, staff_page
from tests.e2e.test_admin_vietnamese import COLLECT, Findings
from tests.e2e.test_dates import choose, pick_day
from tests.i18n.english import english_words
from tests.media.conftest import ffmpeg

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ASSIGNMENTS = "/admin/snippets/newsroom/assignment/"

BRIEF_TITLE = "Lũ quét ở Mường Lát: tường thuật từ vùng bị chia cắt"
HEADLINE = "Đường vào Trung Lý bị lũ quét chia cắt, đồn biên phòng đưa gạo vào bản"
SLUG = "duong-vao-trung-ly-bi-lu-quet-chia-cat-don-bien-phong-dua-gao-vao-ban"
STANDFIRST = "Mưa lớn đêm qua khiến nhiều bản của xã Trung Lý bị cô lập."
PARAGRAPH = "Sáng nay, cán bộ đồn biên phòng đã gùi gạo vượt suối vào bản Xa Lung."
COMMENT = "Thiếu ý kiến người dân; bổ sung trích dẫn."
CUT_TITLE = "Phỏng vấn trưởng bản Xa Lung sau lũ"
DEADLINE_TYPED = "25/12/2026 17:00"
DEADLINE = datetime.datetime(2026, 12, 25, 17, 0, tzinfo=HCM)

# A date written dd/mm/yyyy whose second number cannot be a month: month/day order.
SLASHED_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
MONEY = re.compile(r"^\d{1,3}(\.\d{3})* đ$")


def next_go_live():
    """The next 25th at 07:30 (Hanoi time) at least a day ahead: a day the server could
    not read as a month, so a swap would be refused rather than hidden."""
    now = timezone.now().astimezone(HCM)
    year, month = now.year, now.month
    while True:
        moment = datetime.datetime(year, month, 25, 7, 30, tzinfo=HCM)
        if moment > now + datetime.timedelta(days=1):
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class Screens:
    """Reads every screen a person is shown: English words are collected (reported all
    together at the end); a date in month/day order fails at once."""

    def __init__(self):
        self.findings = Findings()
        self.seen = []

    def look(self, page, who, where, *, must_show=()):
        page.wait_for_load_state("load")
        self.findings.check(page, who, where)
        texts = page.evaluate(COLLECT)
        for text in texts:
            for day, month, year in SLASHED_DATE.findall(text):
                assert int(month) <= 12, f"{who} {where}: {day}/{month}/{year} in {text!r}"
        whole = "\n".join(texts)
        for wanted in must_show:
            assert wanted in whole, f"{who} {where}: {wanted!r} not shown"
        self.seen.append((who, where))
        shot(page, f"day-{who}-{len(self.seen):02d}")


def success(page):
    message = page.locator(".messages li.success").first
    expect(message).to_be_visible()
    return " ".join(message.inner_text().split())


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def default_button(page, label):
    button = page.locator("footer .w-dropdown-button > button").first
    expect(button).to_have_text(re.compile(rf"^\s*{re.escape(label)}\s*$"))
    return button


def open_schedule(page):
    toggle = page.locator("[data-side-panel-toggle='status']").first
    expect(toggle).to_be_visible()
    opener = page.locator("[data-a11y-dialog-show='schedule-publishing-dialog']:visible")
    if not opener.count():
        toggle.click()
    opener.first.click()
    expect(page.locator("#schedule-publishing-dialog")).to_be_visible()


def save_go_live(page, value):
    """Types the go-live into the schedule dialog and saves it (the date picker stays open
    over the dialog's button, so the button is pressed through the page's script)."""
    page.fill("#id_go_live_at", value)
    with page.expect_navigation():
        page.locator("#schedule-publishing-dialog button[type=submit]").evaluate("b => b.click()")


CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  return {key: canvas.dataset.chart, drawn: Boolean(chart),
          values: chart ? chart.data.datasets.flatMap((d) => d.data).filter((v) => v).length : 0,
          // What the canvas draws as text (legend and axis labels): not in the page's text.
          labels: chart ? [...(chart.data.labels || []), ...chart.data.datasets.map((d) => d.label)]
            .filter((l) => l).map(String) : []};
})"""


def charts_drawn(page, screens, where):
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')].length"
        " && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((c) => window.Chart.getChart(c))"
    )
    charts = page.evaluate(CHARTS)
    assert charts and all(c["drawn"] for c in charts), charts
    assert any(c["values"] for c in charts), charts  # not all empty frames
    for chart in charts:
        for label in chart["labels"]:
            if english_words(label):
                screens.findings.lines.append(f"tongbientap {where} (biểu đồ): {label!r}")
    return charts


def text_of(locator):
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


@pytest.mark.browser
def test_the_working_day_of_bao_thanh_hoa(live_server, demo, demo_password, settings, tmp_path):
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # the clicks are the only saves
    settings.HOITU_MEDIA_X264_PRESET = "ultrafast"
    users = get_user_model().objects.in_bulk(
        ["phongvien.baothanhhoa", "bientap.baothanhhoa", "thuky.baothanhhoa"],
        field_name="username",
    )
    reporter = users["phongvien.baothanhhoa"]
    muong_lat = Place.objects.get(name__endswith="Mường Lát")
    trung_ly = Place.objects.get(name__endswith="Trung Lý")
    cut = tmp_path / "phong-van-truong-ban.mp3"
    ffmpeg(
        *("-f", "lavfi", "-i", "sine=frequency=523:duration=3"),
        *("-c:a", "libmp3lame", "-b:a", "64k", str(cut)),
    )
    go_live = next_go_live()
    go_live_typed = go_live.strftime("%d/%m/%Y %H:%M")
    go_live_shown = f"07:30 ngày {go_live:%d/%m/%Y}"
    screens = Screens()
    base = live_server.url

    with chromium() as browser:
        pages = []
        try:
            # 1. The managing editor gives the assignment from "Giao việc".
            who = "thuky"
            thuky = staff_page(browser, base, "thuky.baothanhhoa", demo_password)
            pages.append(thuky)
            screens.look(thuky, who, "/admin/")
            click_and_wait(thuky, thuky.locator("nav").get_by_role("link", name="Giao việc"))
            screens.look(thuky, who, ASSIGNMENTS)
            click_and_wait(thuky, thuky.locator(f"a[href$='{ASSIGNMENTS}add/']").first)
            thuky.fill("#id_title", BRIEF_TITLE)
            thuky.fill("#id_brief", "Đến hiện trường, phỏng vấn người dân và trưởng bản.")
            thuky.locator("input[name=formats][value=text]").check()
            thuky.locator("input[name=formats][value=radio]").check()
            # Their only agency is already chosen.
            expect(thuky.locator("#id_agency-chooser")).to_contain_text("Báo Thanh Hóa")
            choose(thuky, "section", "Thời sự", search="Thời sự", parent="Báo Thanh Hóa")
            choose(thuky, "place", muong_lat.name, search="muong lat")
            thuky.locator(f"input[name=reporters][value='{reporter.pk}']").check()
            thuky.locator("#id_deadline").fill(DEADLINE_TYPED)
            # The picker, opened on the typed value, shows December 2026 and marks the 25th.
            assert pick_day(thuky, "#id_deadline", 25, thuky.locator("#id_title")) == (2026, 12)
            expect(thuky.locator("#id_deadline")).to_have_value(DEADLINE_TYPED)
            screens.look(thuky, who, ASSIGNMENTS + "add/")
            click_and_wait(thuky, thuky.locator("footer button[type=submit]").first)
            assert success(thuky).startswith(f"Giao việc '{BRIEF_TITLE}' đã được tạo")
            assignment = Assignment.objects.get(title=BRIEF_TITLE)
            assert assignment.deadline == DEADLINE
            assert assignment.place_id == muong_lat.pk
            assert sorted(assignment.formats) == ["radio", "text"]
            assert list(assignment.reporters.all()) == [reporter]
            row = thuky.locator("tr", has_text=BRIEF_TITLE)
            expect(row).to_contain_text("25/12/2026")
            screens.look(thuky, who, ASSIGNMENTS + " (sau khi lưu)", must_show=["25/12/2026"])
            thuky.goto("/admin/newsroom/ke-hoach/?ngay=2026-12-25")
            expect(thuky.locator("tr.assignment", has_text=BRIEF_TITLE)).to_contain_text("17:00")
            screens.look(thuky, who, "/admin/newsroom/ke-hoach/", must_show=["25/12/2026"])

            # 2. The reporter writes it from "Việc của tôi".
            who = "phongvien"
            page = staff_page(browser, base, reporter.username, demo_password)
            pages.append(page)
            mine = page.locator(f"tr.my-assignment[data-assignment='{assignment.pk}']")
            expect(mine).to_contain_text("25/12/2026 17:00")
            screens.look(page, who, "/admin/", must_show=["25/12/2026 17:00"])
            click_and_wait(page, mine.get_by_role("link", name="Viết bài"))
            expect(page.locator(".messages")).to_contain_text("Mường Lát")
            place_input = page.locator("input[name='place']")
            expect(place_input).to_have_value(str(muong_lat.pk))
            expect(page.locator("#id_bylines-0-author")).to_have_value(str(reporter.pk))
            screens.look(page, who, "Viết bài (trang soạn)")

            page.locator("#id_title").click()
            page.locator("#id_title").press_sequentially(HEADLINE)
            page.locator("#id_standfirst").click()  # leaving the title applies the slug
            expect(page.locator("#id_slug")).to_have_value(SLUG)
            page.fill("#id_standfirst", STANDFIRST)

            # The commune of the story: Trung Lý, typed without diacritics.
            place_field = page.locator("[data-contentpath='place']")
            place_field.locator(".w-dropdown__toggle").click()
            page.get_by_role("button", name="Chọn xã/phường khác").and_(
                page.locator(":visible")
            ).click()
            modal = page.locator(".modal-dialog")
            search = modal.locator("input[name='q']")
            expect(search).to_be_visible()
            # On a loaded machine the chooser's body can still be swapped in after the
            # box shows (once seen: the typed words gone); type again, as a person would.
            for _ in range(3):
                search.press_sequentially("trung ly")
                page.wait_for_timeout(300)
                if search.input_value() == "trung ly":
                    break
                search.fill("")
            expect(search).to_have_value("trung ly")
            result = modal.get_by_role("link", name=trung_ly.name)
            expect(result).to_be_visible()
            expect(modal.get_by_role("link", name=muong_lat.name)).to_have_count(0)
            screens.look(page, who, "chọn xã/phường")
            result.click()
            expect(modal).to_be_hidden()
            expect(place_input).to_have_value(str(trung_ly.pk))

            page.locator("[data-contentpath='body'] button.c-sf-add-button").first.click()
            page.get_by_role("option", name="Đoạn văn").click()
            editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
            editor.click()
            editor.press_sequentially(PARAGRAPH)
            expect(page.locator("input[name='body-0-value']")).to_have_value(
                re.compile(re.escape(PARAGRAPH[-20:]))
            )

            # The radio cut, uploaded from the audio chooser and attached.
            chooser = page.locator("#id_audio-chooser")
            chooser.scroll_into_view_if_needed()
            chooser.get_by_role("button", name="Chọn hoặc tải lên bản phát thanh").click()
            modal = page.locator(".modal-content")
            expect(modal.locator("h1")).to_contain_text("Chọn hoặc tải lên bản phát thanh")
            screens.look(page, who, "chọn bản phát thanh")
            modal.get_by_role("tab", name="Tải lên âm thanh").click()
            form = modal.locator("form.media-upload")
            form.locator("input[name='media-chooser-upload-file']").set_input_files(str(cut))
            form.locator("input[name='media-chooser-upload-title']").fill(CUT_TITLE)
            screens.look(page, who, "tải lên âm thanh")
            form.get_by_role("button", name="Tải lên và chọn").click()
            expect(modal).to_have_count(0, timeout=60_000)
            expect(chooser.locator("[data-chooser-title]")).to_have_text(CUT_TITLE)
            status = chooser.locator("[data-hoitu-media-status]")
            expect(status).to_contain_text("Sẵn sàng", timeout=30_000)
            screens.look(page, who, "bài đã gắn bản phát thanh")

            click_and_wait(page, default_button(page, "Gửi biên tập"))
            assert f"Đã gửi bài “{HEADLINE}” cho biên tập viên" in success(page)
            screens.look(page, who, "đã gửi biên tập")
            story = StoryPage.objects.get(title=HEADLINE)
            edit = f"/admin/pages/{story.pk}/edit/"
            draft = story.get_latest_revision_as_object()
            assert story.slug == SLUG
            assert draft.place_id == trung_ly.pk
            assert draft.audio_id == MediaAsset.objects.get(title=CUT_TITLE).pk
            assert PARAGRAPH in str(draft.body)

            # 3. The desk sends it back with a comment; the reporter resubmits; approved.
            who = "bientap"
            desk = staff_page(browser, base, "bientap.baothanhhoa", demo_password)
            pages.append(desk)
            screens.look(desk, who, "/admin/")
            desk.goto(edit)
            screens.look(desk, who, edit)
            footer_action(desk, "footer button[data-workflow-action-name='reject']")
            modal = desk.locator(".modal-dialog, .modal").first
            expect(modal).to_be_visible()
            modal.locator("textarea").first.fill(COMMENT)
            screens.look(desk, who, "trả bài kèm nhận xét")
            click_and_wait(desk, modal.locator("button[type=submit]").first)
            text = success(desk)
            assert f"Đã trả bài “{HEADLINE}” về cho phóng viên" in text and "nhận xét" in text
            screens.look(desk, who, "đã trả bài")

            who = "phongvien"
            page.goto(edit)
            screens.look(page, who, edit + " (bị trả)")
            click_and_wait(page, default_button(page, "Gửi lại biên tập"))
            assert f"Đã gửi lại bài “{HEADLINE}” cho biên tập viên" in success(page)

            who = "bientap"
            desk.goto(edit)
            click_and_wait(desk, default_button(desk, "Duyệt, chuyển tổng biên tập"))
            assert f"Đã duyệt bài “{HEADLINE}” và gửi cho tổng biên tập" in success(desk)
            screens.look(desk, who, "đã duyệt")

            # 4. The editor-in-chief schedules it, then brings it forward and publishes.
            who = "tongbientap"
            eic = staff_page(browser, base, "tongbientap.baothanhhoa", demo_password)
            pages.append(eic)
            screens.look(eic, who, "/admin/")
            eic.goto(edit)
            screens.look(eic, who, edit)
            open_schedule(eic)
            screens.look(eic, who, "hẹn giờ đăng")
            save_go_live(eic, go_live_typed)
            success(eic)
            story.refresh_from_db()
            assert story.get_latest_revision_as_object().go_live_at == go_live
            click_and_wait(eic, default_button(eic, "Duyệt và hẹn giờ đăng"))
            assert f"Bài sẽ lên lúc {go_live_shown}" in success(eic)
            screens.look(eic, who, "đã hẹn giờ", must_show=[go_live_shown])
            story = StoryPage.objects.get(pk=story.pk)
            assert not story.live
            assert story.scheduled_revision.approved_go_live_at == go_live
            assert story.get_latest_revision_as_object().go_live_at == go_live

            # A scheduled story is locked: the editor offers to cancel the schedule first.
            eic.goto(edit)
            expect(eic.locator("footer")).to_contain_text("Bài đang bị khóa")
            screens.look(eic, who, edit + " (đã hẹn giờ)", must_show=[go_live_shown])
            click_and_wait(eic, eic.get_by_role("button", name="Hủy hẹn giờ xuất bản"))
            screens.look(eic, who, "đã hủy hẹn giờ")
            assert "Đã hủy hẹn giờ đăng phiên bản" in success(eic)
            story = StoryPage.objects.get(pk=story.pk)  # scheduled_revision is cached
            assert story.scheduled_revision is None and not story.live
            eic.goto(edit)
            open_schedule(eic)
            save_go_live(eic, "")
            success(eic)
            click_and_wait(eic, default_button(eic, "Xuất bản"))
            assert f"Đã xuất bản bài “{HEADLINE}”" in success(eic)
            screens.look(eic, who, "đã xuất bản")
            story = StoryPage.objects.get(pk=story.pk)
            assert story.live and story.scheduled_revision is None
            assert story.specific.audio_id == draft.audio_id

            # The statistics and the paywall figures, charts drawn, money the Vietnamese way.
            eic.goto("/admin/thong-ke/")
            charts_drawn(eic, screens, "/admin/thong-ke/")
            kpis = eic.locator(".hoitu-kpis > div")
            money = text_of(kpis.filter(has_text="Doanh thu số").locator("strong"))
            assert MONEY.match(money), money
            screens.look(eic, who, "/admin/thong-ke/")
            eic.goto("/admin/")
            click_and_wait(eic, eic.get_by_role("link", name="Số liệu thu phí"))
            charts_drawn(eic, screens, "/admin/thu-phi/so-lieu/")
            total = text_of(eic.locator("#revenue-total"))
            assert MONEY.match(total), total
            screens.look(eic, who, "/admin/thu-phi/so-lieu/")
        except Exception:
            for n, shown in enumerate(pages):
                shot(shown, f"day-failure-{n}")
            raise

    assignment.refresh_from_db()
    assert assignment.story_id == story.pk
    assert assignment.status != AssignmentStatus.PLANNED
    assert not screens.findings.lines, "English on the screens:\n" + "\n".join(
        screens.findings.lines
    )
