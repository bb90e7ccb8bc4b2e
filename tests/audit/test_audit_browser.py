"""The administrator reads and exports the audit log in the admin, in a real browser."""

import csv
import io

import pytest

from tests.browser import chromium, shot, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_finds_their_own_login_and_exports_it(live_server, demo, demo_password):
    with chromium() as browser:
        page = staff_page(browser, live_server.url, "quantri", demo_password)
        page.get_by_role("button", name="Báo cáo").click()
        page.get_by_role("link", name="Nhật ký thao tác").click()
        page.wait_for_url("**/admin/nhat-ky-thao-tac/")
        page.fill("input[name=nguoi]", "quantri")
        page.fill("input[name=thao_tac]", "auth.login")
        page.get_by_role("button", name="Tìm", exact=True).click()
        row = page.locator("table.listing tbody tr").first
        assert "Đăng nhập" in row.inner_text()
        assert "127.0.0.1" in row.inner_text()
        assert "Mozilla/5.0" in row.inner_text()
        shot(page, "audit-report")
        with page.expect_download() as download:
            page.get_by_role("link", name="Xuất CSV").click()
        content = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][1] == "Người thực hiện"
    assert [(r[1], r[3]) for r in rows[1:]] == [("quantri", "auth.login")]
