"""The statistics pages in Debian's Chromium: every chart draws (a Chart.js chart with data
on each canvas, pixels painted), and money and counts read the Vietnamese way."""

import re

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from newsroom.models import Agency
from paywall.models import LedgerEntry
from tests.browser import chromium, shot, staff_page

# What each canvas holds once the page has run its scripts.
CHART_STATE = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
  return {
    key: canvas.dataset.chart,
    drawn: Boolean(chart),
    values: chart ? chart.data.datasets.flatMap((d) => d.data).filter((v) => v).length : 0,
    painted,
    ticks: chart && chart.scales ? Object.values(chart.scales)
      .filter((s) => s.type === "linear").flatMap((s) => s.ticks.map((t) => String(t.label).replace(/\u00a0/g, " "))) : [],
  };
})"""
TOOLTIP = """([key, value]) => {
  const chart = window.Chart.getChart(document.querySelector(`canvas[data-chart="${key}"]`));
  return chart.options.plugins.tooltip.callbacks.label.call(
    chart.tooltip, {raw: value, parsed: value, dataset: chart.data.datasets[0], label: ""});
}"""
MONEY = re.compile(r"^\d{1,3}(\.\d{3})* đ$")


def vn(amount: int) -> str:
    """The test's own spelling of a Vietnamese amount, independent of the project's."""
    return f"{amount:,}".replace(",", ".")


def text(locator) -> str:
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


def charts_drawn(page, name, keys):
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((c) => window.Chart.getChart(c))"
    )
    page.wait_for_timeout(1200)  # the charts' entry animation
    state = {c["key"]: c for c in page.evaluate(CHART_STATE)}
    shot(page, name)
    page.locator("canvas[data-chart]").last.scroll_into_view_if_needed()
    shot(page, f"{name}-charts-end")
    assert set(state) == set(keys), state.keys()
    for key, chart in state.items():
        assert chart["drawn"] and chart["values"] > 0, (name, key, chart)
        assert chart["painted"] > 2000, (name, key, chart)  # more than an empty frame
    return state


@pytest.mark.browser
def test_statistics_charts_draw_and_read_vietnamese(live_server, demo, demo_password):
    bth = Agency.objects.get(slug="baothanhhoa")
    revenue = LedgerEntry.objects.filter(site__outlet__agency=bth).aggregate(t=Sum("amount"))["t"]
    assert revenue >= 1000  # the demo subscriber paid each outlet: a grouped amount
    with chromium() as browser:
        page = staff_page(browser, live_server.url, "tongbientap.baothanhhoa", demo_password)
        # The editor-in-chief's dashboard: six charts, money with dots and "đ".
        page.goto("/admin/thong-ke/?nam=2025")
        state = charts_drawn(
            page,
            "eic-dashboard",
            ["output", "audience", "engaged", "places", "channels", "revenue"],
        )
        kpis = page.locator(".hoitu-kpis > div")
        money = text(kpis.filter(has_text="Doanh thu số").locator("strong"))
        assert MONEY.match(money), money
        views = text(kpis.filter(has_text="Lượt xem").locator("strong"))
        assert re.fullmatch(r"\d{1,3}(\.\d{3})+", views), views  # the demo has thousands
        assert all(t.endswith(" đ") for t in state["revenue"]["ticks"]), state["revenue"]
        assert any("." in t for t in state["audience"]["ticks"]), state["audience"]
        assert page.evaluate(TOOLTIP, ["revenue", 300000]) == "Doanh thu: 300.000\xa0đ"
        assert page.evaluate(TOOLTIP, ["engaged", 12.5]) == "Thời gian đọc (giờ): 12,5 giờ"

        # The paywall figures, reached from the menu: only Báo Thanh Hóa's outlets.
        page.goto("/admin/")
        expect(page.get_by_role("link", name="Số liệu thu phí")).to_have_count(1)
        page.get_by_role("link", name="Số liệu thu phí").click()
        page.wait_for_url("**/admin/thu-phi/so-lieu/")
        state = charts_drawn(page, "eic-paywall-figures", ["revenue", "subscriptions"])
        assert text(page.locator("#revenue-total")) == f"{vn(revenue)} đ"
        assert all(t.endswith(" đ") for t in state["revenue"]["ticks"]), state["revenue"]
        sites = page.locator("select[name=site] option").all_inner_texts()
        assert "Truyền hình Thanh Hóa" not in " ".join(sites)
        rows = page.locator("table tbody tr", has_text="Gói năm").all_inner_texts()
        assert rows and all(vn(300000) in r for r in rows), rows

        # The reporter's own numbers.
        page = staff_page(browser, live_server.url, "phongvien.baothanhhoa", demo_password)
        page.goto("/admin/thong-ke/cua-toi/?nam=2025")
        charts_drawn(page, "reporter-mine", ["output", "audience"])
        views = text(page.locator(".hoitu-kpis > div", has_text="Lượt xem").locator("strong"))
        assert re.fullmatch(r"\d{1,3}(\.\d{3})+", views), views  # their stories' readers
        expect(page.get_by_role("link", name="Số liệu thu phí")).to_have_count(0)
