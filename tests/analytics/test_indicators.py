"""Each indicator from known data: a fresh test agency with its own outlet, stories,
audience rollups and hand-entered facts; the province where the data is known."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Page, Site

from analytics import selectors
from analytics.models import (
    AgencyYearStatus,
    Dimension,
    Granularity,
    MaturityAssessment,
    PlatformRevenue,
    Population,
    PrintCirculation,
    Reach,
    Rollup,
    TrainingRecord,
)
from newsroom.models import (
    Agency,
    AgencyRole,
    HomePage,
    Outlet,
    OutletOwnership,
    Place,
    PlaceKind,
    SectionPage,
    StoryByline,
    StoryPage,
)
from newsroom.services import agency_setup_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(demo):
    agency = Agency.objects.create(
        name="Báo Thử nghiệm",
        short_name="BTN",
        slug="baothunghiem",
        licence_number="1/GP-BTTTT",
        licence_date=datetime.date(2019, 1, 1),
        licence_issuer="Bộ TT&TT",
        governing_body="Tỉnh ủy",
        address="Thanh Hóa",
        editor_in_chief="Nguyễn Văn A",
    )
    home = Page.get_first_root_node().add_child(instance=HomePage(title="BTN", slug="btn"))
    site = Site.objects.create(hostname="btn.localhost", port=80, root_page=home)
    outlet = Outlet.objects.create(site=site, agency=agency, name="BTN điện tử", kind="newspaper")
    OutletOwnership.objects.create(
        outlet=outlet, agency=agency, valid_from=datetime.date(2019, 1, 1)
    )
    home.add_child(instance=SectionPage(title="Thời sự", slug="thoi-su"))
    agency_setup_roles(agency=agency)
    return agency


def _story(agency, n, year, *, flagged=True, author=None):
    section = SectionPage.objects.descendant_of(agency.outlets.get().site.root_page).get()
    story = StoryPage(
        title=f"Tin {year} số {n}",
        slug=f"tin-{year}-{n}",
        standfirst="Sapo",
        political_task=flagged,
    )
    section.add_child(instance=story)
    when = timezone.make_aware(datetime.datetime(year, 1 + n % 12, 10))
    StoryPage.objects.filter(pk=story.pk).update(first_published_at=when, live=True)
    if author:
        StoryByline.objects.create(story=story, author=author)
    return story


def test_indicator_3_growth_of_political_items(agency):
    for n in range(10):
        _story(agency, n, 2024)
    for n in range(13):
        _story(agency, n, 2025)
    _story(agency, 99, 2025, flagged=False)  # not counted
    result = selectors.indicator_political_growth(year=2025, agency=agency)
    assert result.value == Decimal("30.0") and result.target == 20 and result.met is True
    assert selectors.indicator_political_growth(year=2024, agency=agency).value is None  # no 2023
    assert (
        selectors.production_counts(year=2025, agency=agency, by="flag")["political_task"]["2025"]
        == 13
    )


def test_indicator_1_urban_rural_from_print_and_ip_accesses(agency):
    ward = Place.objects.filter(kind=PlaceKind.WARD).first()
    commune = Place.objects.filter(kind=PlaceKind.COMMUNE).first()
    PrintCirculation.objects.create(
        agency=agency, issue_date=datetime.date(2025, 3, 1), place=ward, copies=300
    )
    PrintCirculation.objects.create(
        agency=agency, issue_date=datetime.date(2025, 3, 1), place=commune, copies=100
    )
    site_id = agency.outlets.get().site_id
    bucket = timezone.make_aware(datetime.datetime(2025, 5, 1))
    for key, visitors in ((ward.code, 300), (commune.code, 300), ("unknown", 5000), ("0", 70)):
        Rollup.objects.create(
            granularity=Granularity.DAY,
            bucket=bucket,
            site_id=site_id,
            dimension=Dimension.PLACE,
            key=str(key),
            visitors=visitors,
            pageviews=visitors,
        )
    result = selectors.indicator_urban_rural(year=2025, agency=agency)
    # (300 + 300) urban / (600 + 400) total = 60% urban: exactly the 2025 target of 60/40.
    assert result.value == Decimal("60.0") and result.value_label == "60,0%/40,0%"
    assert result.met is True
    assert "chưa xác định địa bàn 5.000" in " ".join(result.notes)
    assert selectors.indicator_urban_rural(year=2024, agency=agency).value is None


def test_indicator_2_reach_over_population_of_remote_and_border_communes(agency):
    Place.objects.update(is_remote=False, is_border=False)
    a, b = Place.objects.filter(kind=PlaceKind.COMMUNE)[:2]
    Place.objects.filter(pk=a.pk).update(is_remote=True)
    Place.objects.filter(pk=b.pk).update(is_border=True)
    Population.objects.filter(year=2024).delete()
    Reach.objects.filter(year=2024).delete()
    assert selectors.indicator_remote_reach(year=2024).value is None  # no population: says so
    Population.objects.create(place=a, year=2024, people=1000)
    Population.objects.create(place=b, year=2024, people=3000)
    Reach.objects.create(place=a, year=2024, people=1200)  # capped at the population
    Reach.objects.create(place=b, year=2024, people=2500, agency=agency)
    result = selectors.indicator_remote_reach(year=2024)
    assert result.value == Decimal("87.5") and result.met is False  # 3500/4000 < 92%
    assert selectors.indicator_remote_reach(year=2024, agency=agency).value == Decimal("62.5")


def test_indicators_4_and_5_share_of_agencies(agency):
    AgencyYearStatus.objects.filter(year=2024).delete()
    assert selectors.indicator_autonomy(year=2024).value is None  # nobody entered: no zeros
    agencies = selectors.agencies_of_year(2024)
    assert agency in agencies and len(agencies) == 4
    for a in agencies:
        AgencyYearStatus.objects.create(
            agency=a,
            year=2024,
            state_commissioned=a.slug == "baothanhhoa",
            converged=a.slug in ("baothanhhoa", "ptth"),
            converged_evidence="Quyết định 12/QĐ" if a.slug in ("baothanhhoa", "ptth") else "",
        )
    autonomy = selectors.indicator_autonomy(year=2024)
    assert autonomy.value == Decimal("25.0") and autonomy.met is True  # 1/4 >= 20%
    converged = selectors.indicator_converged(year=2024)
    assert converged.value == Decimal("50.0") and converged.met is True  # 2/4 >= 40%
    mine = selectors.indicator_converged(year=2024, agency=agency)
    assert mine.value_label == "Chưa" and mine.met is None


def test_converged_needs_evidence(agency):
    status = AgencyYearStatus(agency=agency, year=2025, converged=True)
    with pytest.raises(ValidationError, match="minh chứng"):
        status.full_clean()


def test_indicator_6_revenue_growth_from_entered_revenue(agency):
    assert selectors.indicator_revenue(year=2025, agency=agency).value is None
    PlatformRevenue.objects.create(agency=agency, year=2024, month=1, source="YouTube", amount=1000)
    PlatformRevenue.objects.create(agency=agency, year=2025, month=1, source="YouTube", amount=1100)
    PlatformRevenue.objects.create(agency=agency, year=2025, month=2, source="Quảng cáo", amount=50)
    result = selectors.indicator_revenue(year=2025, agency=agency)
    assert result.value == Decimal("15.0") and result.met is False  # target 20%


def test_training_and_maturity(agency):
    User = get_user_model()
    staff = []
    for i in range(4):
        user = User.objects.create_user(f"pv{i}.btn", password="x" * 12)
        user.groups.add(AgencyRole.objects.get(agency=agency, role="reporter").group)
        staff.append(user)
    assert selectors.indicator_training(year=2025, agency=agency).value is None
    for user in staff[:3]:
        TrainingRecord.objects.create(
            agency=agency, person=user, course="CĐS", completed_on=datetime.date(2025, 5, 1)
        )
    training = selectors.indicator_training(year=2025, agency=agency)
    assert training.value == Decimal("75.0") and training.met is False
    assert selectors.indicator_training(year=2024, agency=agency).value is None
    MaturityAssessment.objects.create(
        agency=agency,
        year=2025,
        strategy=18,
        infrastructure=20,
        organisation=15,
        audiences=10,
        technology=5,
    )
    assert selectors.indicator_maturity(year=2025, agency=agency).value_label == "68,0/100"
    with pytest.raises(ValidationError, match="tối đa 24"):
        MaturityAssessment(
            agency=agency,
            year=2024,
            strategy=1,
            infrastructure=25,
            organisation=1,
            audiences=1,
            technology=1,
        ).full_clean()


def test_a_year_without_data_says_so(demo):
    report = selectors.year_report(year=2012)
    assert not report.has_data
    assert all(r.value is None and r.met is None for r in report.results)
    assert all(r.value_label == "Chưa có số liệu" for r in report.results)


def test_merged_agency_counts_as_it_stood(agency):
    """Stories published before a merger count for the old owner, after it for the new."""
    _story(agency, 1, 2025)
    outlet = agency.outlets.get()
    _story(agency, 2, 2025)  # published 10 March 2025
    OutletOwnership.objects.filter(outlet=outlet).update(valid_to=datetime.date(2025, 2, 28))
    other = Agency.objects.get(slug="baothanhhoa")
    OutletOwnership.objects.create(
        outlet=outlet, agency=other, valid_from=datetime.date(2025, 3, 1)
    )
    assert selectors.flagged_count(year=2025, agency=agency) == 1  # February story
    before = StoryPage.objects.filter(title__startswith="Tin 2025").count()
    assert before == 2
    assert agency in selectors.agencies_of_year(2025)
    assert agency not in selectors.agencies_of_year(2026)


def test_production_counters_growth_and_commission_progress(agency):
    from newsroom.models import Commission

    reporter = get_user_model().objects.create_user("pv.btn", first_name="Lan", password="x" * 12)
    for n in range(4):
        _story(agency, n, 2020, author=reporter)
    for n in range(5):
        _story(agency, n, 2024, author=reporter)
    stories = [_story(agency, n, 2025, author=reporter) for n in range(6)]
    _story(agency, 50, 2025, flagged=False)
    flags = {
        r["group"]: r for r in selectors.production_growth(year=2025, agency=agency, by="flag")
    }
    row = flags["Nhiệm vụ chính trị"]
    assert (row["count"], row["previous"], row["base"]) == (6, 5, 4)
    assert row["growth"] == Decimal("20.0") and row["growth_base"] == Decimal("50.0")
    authors = selectors.production_growth(year=2025, agency=agency, by="author")
    assert authors[0]["group"] == "Lan" and authors[0]["count"] == 6
    months = selectors.production_counts(year=2025, agency=agency, by="format", period="month")
    assert sum(months["text"].values()) == 7
    weeks = selectors.production_counts(year=2025, agency=agency, by="section", period="week")
    assert sum(weeks["Thời sự"].values()) == 7 and all("-W" in k for k in weeks["Thời sự"])
    commission = Commission.objects.create(
        agency=agency,
        ordering_body="Sở",
        year=2025,
        topic="Chuyển đổi số",
        quota_text=4,
        quota_tv=2,
    )
    StoryPage.objects.filter(pk__in=[s.pk for s in stories[:3]]).update(commission=commission)
    StoryPage.objects.filter(pk=stories[0].pk).update(primary_format="tv")
    progress = {
        r["format"]: r for r in selectors.commission_progress(year=2025, agency=agency)[0]["rows"]
    }
    assert (progress["text"]["delivered"], progress["text"]["percent"]) == (3, Decimal("75.0"))
    assert (progress["tv"]["delivered"], progress["tv"]["quota"]) == (1, 2)
    assert progress["photo"]["percent"] is None  # no quota: no percentage
