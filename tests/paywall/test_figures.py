"""Who reads the paywall figures (/admin/thu-phi/so-lieu/): each editor-in-chief their own
agency's outlets, the superuser every outlet; a reporter or a reader nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import Client
from wagtail.models import Site

from paywall.models import Gateway, LedgerEntry, LedgerKind, Plan

pytestmark = pytest.mark.django_db
URL = "/admin/thu-phi/so-lieu/"


def client_of(username) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def refused(response) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == "/admin/"
    )


def agency_revenue(slug) -> int:
    ledger = LedgerEntry.objects.filter(site__outlet__agency__slug=slug)
    return ledger.aggregate(t=Sum("amount"))["t"] or 0


@pytest.fixture
def ptth_sale(demo):
    """A month's plan sold on the television outlet: PTTH's revenue differs from the paper's."""
    site = Site.objects.get(outlet__agency__slug="ptth", hostname="truyenhinh.localhost")
    plan = Plan.objects.get(site=site, slug="thang")
    return LedgerEntry.objects.create(
        kind=LedgerKind.PAYMENT, amount=plan.price, site=site, plan=plan, gateway=Gateway.MOMO
    )


def test_each_editor_in_chief_reads_only_their_agency(ptth_sale):
    bth, ptth = agency_revenue("baothanhhoa"), agency_revenue("ptth")
    assert bth and ptth and bth != ptth
    for slug, own in (("baothanhhoa", bth), ("ptth", ptth)):
        page = client_of(f"tongbientap.{slug}").get(URL)
        assert page.status_code == 200
        assert page.context["data"]["revenue_total"] == own
        html = page.content.decode()
        assert f"{own:,}".replace(",", ".") + "\xa0đ" in html
        offered = {s.pk for s in page.context["sites"]}
        assert offered == set(
            Site.objects.filter(outlet__agency__slug=slug).values_list("pk", flat=True)
        )
    # Another agency's outlet, asked for by hand, is refused; its money never shows.
    paper = client_of("tongbientap.baothanhhoa")
    assert refused(paper.get(URL, {"site": ptth_sale.site_id}))
    assert "Truyền hình" not in paper.get(URL).content.decode()
    # The superuser still reads every outlet together.
    everything = client_of("quantri").get(URL)
    assert (
        everything.context["data"]["revenue_total"]
        == LedgerEntry.objects.aggregate(t=Sum("amount"))["t"]
    )
    # The ledger listing writes the amounts the same way (a month's 30.000, a year's 300.000).
    ledger = client_of("quantri").get("/admin/snippets/paywall/ledgerentry/").content.decode()
    assert "30.000\xa0đ" in ledger and "300.000\xa0đ" in ledger


def test_editor_in_chief_narrows_to_one_outlet_and_year(ptth_sale):
    tv = client_of("tongbientap.ptth")
    page = tv.get(URL, {"site": ptth_sale.site_id})
    assert page.status_code == 200 and page.context["site"].pk == ptth_sale.site_id
    expected = LedgerEntry.objects.filter(site=ptth_sale.site).aggregate(t=Sum("amount"))["t"]
    assert page.context["data"]["revenue_total"] == expected
    last_year = tv.get(URL, {"year": ptth_sale.created_at.year - 1})
    assert last_year.context["data"]["revenue_total"] == 0
    assert "Chưa có doanh thu năm" in last_year.content.decode()


def test_menu_item_for_the_editor_in_chief_not_the_reporter(demo):
    # The sidebar is JSON in the page: look for the item's address.
    assert URL in client_of("tongbientap.vannghe").get("/admin/").content.decode()
    reporter = client_of("phongvien.baothanhhoa")
    assert URL not in reporter.get("/admin/").content.decode()
    answer = reporter.get(URL, follow=True)
    assert answer.redirect_chain[-1][0] == "/admin/"
    assert "Chỉ tổng biên tập xem được số liệu thu phí" in answer.content.decode()
    for role in ("bientap", "thuky"):
        assert refused(client_of(f"{role}.ptth").get(URL))
