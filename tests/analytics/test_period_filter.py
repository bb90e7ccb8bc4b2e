"""A report period typed as day/month/year: the print-circulation figures filtered from
13/12/2026 to 25/12/2026 are those issues, not refused (month 25) nor swapped."""

import datetime

import lxml.html
import pytest
from django.test import Client

from analytics.models import PrintCirculation
from newsroom.models import Agency, Place

pytestmark = pytest.mark.django_db

LISTING = "/admin/snippets/analytics/printcirculation/"


@pytest.fixture
def issues(demo):
    agency = Agency.objects.get(slug="baothanhhoa")
    place = Place.objects.first()
    days = [(12, 5), (12, 12), (12, 13), (12, 25), (12, 26), (5, 12)]
    for n, (month, day) in enumerate(days, start=1):
        PrintCirculation.objects.create(
            agency=agency, issue_date=datetime.date(2026, month, day), place=place, copies=n
        )
    return agency


def listed_days(response):
    assert response.status_code == 200
    document = lxml.html.fromstring(response.content.decode())
    # The issue-date column, as the listing displays it (the vi DATE_FORMAT).
    cells = document.xpath("//table[contains(@class,'listing')]//tbody//tr/td[3]")
    return sorted(c.text_content().strip() for c in cells)


def test_print_circulation_period_filter_reads_day_month_year(issues):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="tongbientap.baothanhhoa"))
    query = {"issue_date_from": "13/12/2026", "issue_date_to": "25/12/2026"}
    response = client.get(LISTING, query)
    assert listed_days(response) == ["13/12/2026", "25/12/2026"]
    # The filter form shows the period back the way it was typed.
    html = response.content.decode()
    assert 'value="13/12/2026"' in html and 'value="25/12/2026"' in html

    # A date picked in an ISO date field means the same.
    response = client.get(LISTING, {"issue_date_from": "2026-12-05", "issue_date_to": "2026-12-12"})
    assert listed_days(response) == ["05/12/2026", "12/12/2026"]


def test_print_circulation_period_filter_refuses_a_day_that_does_not_exist(issues):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="tongbientap.baothanhhoa"))
    response = client.get(LISTING, {"issue_date_from": "31/02/2026"})
    assert response.status_code == 200
    assert "ngày hợp lệ" in response.content.decode()  # the filter says why, in Vietnamese
