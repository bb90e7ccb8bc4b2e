"""The demo covers every year up to the current one: the statistics pages, which open on
the current year, show figures in `make run`; the fixed 2023–2025 figures stay as they were,
and a database loaded in an earlier month is topped up, never doubled."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from analytics import demo as analytics_demo
from analytics.models import (
    AgencyYearStatus,
    Dimension,
    MaturityAssessment,
    PlatformRevenue,
    Population,
    PrintCirculation,
    Reach,
    Rollup,
)

pytestmark = pytest.mark.django_db


def client_of(username) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def past_months(today):
    """This year's months whose demo day (the 15th, or earlier this month) has gone by."""
    return [m for m in range(1, today.month + 1) if m < today.month or today.day >= 3]


def test_years_and_months_follow_the_calendar():
    assert analytics_demo.demo_years(datetime.date(2026, 11, 28)) == [2023, 2024, 2025, 2026]
    assert analytics_demo.demo_years(datetime.date(2027, 1, 2)) == [2023, 2024, 2025, 2026, 2027]
    assert analytics_demo.demo_months(2027, datetime.date(2027, 1, 2)) == [1]
    assert analytics_demo.demo_months(2026, datetime.date(2027, 1, 2)) == list(range(1, 13))
    assert analytics_demo.demo_months(2026, datetime.date(2026, 11, 28)) == list(range(1, 12))
    # The fixed years keep their figures; later years carry the trend on within bounds.
    assert analytics_demo.growth(2025) == 1.6 and analytics_demo.growth(2026) > 1.6
    assert (
        analytics_demo.urban_share(2025) == 0.58 and 0.45 <= analytics_demo.urban_share(2030) < 0.58
    )
    assert analytics_demo.coverage(2040) <= 0.99
    for slug in analytics_demo.MATURITY:
        for value, maximum in zip(
            analytics_demo.maturity(slug, 2040), analytics_demo.MATURITY_MAX, strict=True
        ):
            assert value <= maximum


def test_the_current_year_has_figures(demo):
    today = timezone.localdate()
    year = today.year
    for slug in ("baothanhhoa", "ptth", "vannghe"):
        assert AgencyYearStatus.objects.filter(agency__slug=slug, year=year).exists()
        assert MaturityAssessment.objects.filter(agency__slug=slug, year=year).exists()
        months = set(
            PlatformRevenue.objects.filter(agency__slug=slug, year=year).values_list(
                "month", flat=True
            )
        )
        assert months == set(range(1, today.month + 1))
        assert not PlatformRevenue.objects.filter(agency__slug=slug, year=year + 1).exists()
    assert Population.objects.filter(year=year).exists() and Reach.objects.filter(year=year)
    assert not PrintCirculation.objects.filter(issue_date__gt=today).exists()
    audience = Rollup.objects.filter(
        dimension=Dimension.TOTAL, bucket__year=year, site_id__isnull=False
    )
    months = {timezone.localtime(b).month for b in audience.values_list("bucket", flat=True)}
    assert set(past_months(today)) <= months
    assert not audience.filter(bucket__gt=timezone.now()).exists()


def test_the_statistics_pages_open_on_a_year_with_data(demo):
    today = timezone.localdate()
    page = client_of("tongbientap.baothanhhoa").get("/admin/thong-ke/")
    assert page.status_code == 200 and page.context["year"] == today.year
    charts = page.context["charts"]
    views = charts["audience"]["data"]["datasets"][0]["data"]
    assert all(views[m - 1] > 0 for m in past_months(today))
    assert sum(charts["revenue"]["data"]["datasets"][0]["data"]) > 0
    assert sum(charts["places"]["data"]["datasets"][0]["data"]) > 0
    mine = client_of("phongvien.baothanhhoa").get("/admin/thong-ke/cua-toi/")
    assert mine.status_code == 200 and mine.context["year"] == today.year
    assert mine.context["count"] > 0 and mine.context["total"].get("pageviews", 0) > 0
    indicators = client_of("tongbientap.baothanhhoa").get("/admin/thong-ke/chi-tieu/")
    measured = [r for r in indicators.context["report"].results if r.value is not None]
    assert len(measured) >= 4


def test_a_second_run_adds_nothing_and_a_new_month_is_topped_up(demo):
    today = timezone.localdate()
    fixed = {
        model: model.objects.filter(**{field: 2025}).aggregate(s=Sum(amount))["s"]
        for model, field, amount in (
            (PlatformRevenue, "year", "amount"),
            (Population, "year", "people"),
            (PrintCirculation, "issue_date__year", "copies"),
        )
    }
    counts = {m: m.objects.count() for m in (Rollup, PlatformRevenue, AgencyYearStatus)}
    analytics_demo.load()
    assert counts == {m: m.objects.count() for m in counts}
    # As if the database had been loaded last month: this month's rows are missing.
    PlatformRevenue.objects.filter(year=today.year, month=today.month).delete()
    start = timezone.make_aware(datetime.datetime(today.year, today.month, 1))
    Rollup.objects.filter(
        bucket__gte=start, bucket__lt=timezone.now() - datetime.timedelta(days=2)
    ).delete()
    analytics_demo.load()
    assert PlatformRevenue.objects.filter(year=today.year, month=today.month).count() == 9
    for model, field, amount in (
        (PlatformRevenue, "year", "amount"),
        (Population, "year", "people"),
        (PrintCirculation, "issue_date__year", "copies"),
    ):
        assert model.objects.filter(**{field: 2025}).aggregate(s=Sum(amount))["s"] == fixed[model]
    if today.day >= 3:
        assert Rollup.objects.filter(bucket__gte=start, dimension=Dimension.TOTAL).exists()


@pytest.mark.browser
def test_default_year_charts_have_data_in_chromium(live_server, demo, demo_password):
    from tests.analytics.test_charts_browser import charts_drawn
    from tests.browser import chromium, staff_page

    year = str(timezone.localdate().year)
    with chromium() as browser:
        page = staff_page(browser, live_server.url, "tongbientap.baothanhhoa", demo_password)
        for url, name, keys in (
            (
                "/admin/thong-ke/",
                "default-year-dashboard",
                ["output", "audience", "engaged", "places", "channels", "revenue"],
            ),
            ("/admin/thu-phi/so-lieu/", "default-year-paywall", ["revenue", "subscriptions"]),
        ):
            page.goto(url)
            assert year in page.locator("select[name=nam], select[name=year]").first.input_value()
            state = charts_drawn(page, name, keys)
            assert state["revenue"]["values"] >= 3, state["revenue"]  # months or sources
        page = staff_page(browser, live_server.url, "phongvien.baothanhhoa", demo_password)
        page.goto("/admin/thong-ke/cua-toi/")
        charts_drawn(page, "default-year-reporter-mine", ["output", "audience"])
