"""The grading screen in Debian's Chromium: the managing editor grades a published work
(genre, coefficient, the byline's share already filled in), the editor-in-chief approves
it with another coefficient and a reason; amounts read the Vietnamese way."""

import datetime

import pytest
from playwright.sync_api import expect

from newsroom.models import Agency
from royalties import services
from royalties.models import Grade
from tests.browser import chromium, shot, staff_page

MONTH = datetime.date(2026, 4, 1)  # demo works of Báo Thanh Hóa, not graded by the demo
URL = f"/admin/nhuan-but/thang/?co-quan=baothanhhoa&thang={MONTH:%Y-%m}"


@pytest.mark.browser
def test_managing_editor_grades_and_editor_in_chief_approves(live_server, demo, demo_password):
    agency = Agency.objects.get(slug="baothanhhoa")
    work = services.month_works(agency, MONTH)[0]
    with chromium() as browser:
        page = staff_page(browser, live_server.url, "thuky.baothanhhoa", demo_password)
        page.goto(URL)
        section = page.locator(f"#tp-{work['pk']}")
        expect(section.locator("h3")).to_have_text(work["title"])
        form = section.locator("[data-testid=grade-form]")
        form.locator("select[name=the_loai]").select_option(label="Tin, trả lời bạn đọc (1–10)")
        form.locator("input[name=he_so]").fill("8")
        # The byline's reporter is already the one share, at 100%.
        expect(form.locator("select[name=nguoi_1] option:checked")).to_contain_text("Trần Minh Anh")
        expect(form.locator("input[name=ti_le_1]")).to_have_value("100")
        shot(page, "royalties-grade-form")
        with page.expect_navigation():
            form.locator("button", has_text="Đề xuất").click()
        expect(page.locator(".messages")).to_contain_text("Đã đề xuất")
        row = page.locator(f"#tp-{work['pk']} tr[data-grade]")
        expect(row).to_contain_text("Chờ duyệt")
        expect(row).to_contain_text("1.872.000\u00a0đ")  # 8 × 234.000 đ
        shot(page, "royalties-proposed")

        page = staff_page(browser, live_server.url, "tongbientap.baothanhhoa", demo_password)
        page.goto(URL)
        approve = page.locator(f"#tp-{work['pk']} [data-testid=approve-form]")
        approve.locator("input[name=he_so]").fill("9")
        approve.locator("input[name=ly_do]").fill("Thông tin độc quyền, đưa sớm nhất")
        with page.expect_navigation():
            approve.locator("button", has_text="Duyệt").click()
        expect(page.locator(".messages")).to_contain_text("Đã duyệt")
        row = page.locator(f"#tp-{work['pk']} tr[data-grade]")
        expect(row).to_contain_text("Đã duyệt")
        expect(row).to_contain_text("2.106.000\u00a0đ")  # 9 × 234.000 đ
        expect(row).to_contain_text("đề xuất 8")
        expect(page.locator("[data-testid=people]")).to_contain_text("Trần Minh Anh")
        shot(page, "royalties-approved")
    grade = Grade.objects.get(story_id=work["pk"])
    assert (grade.status, grade.coefficient, grade.proposed_coefficient) == ("approved", 9, 8)
    assert grade.change_reason == "Thông tin độc quyền, đưa sớm nhất"
