"""Agency mergers: outlets move, history is kept, a second merge is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from newsroom.models import Agency, Outlet, OutletOwnership, StoryPage
from newsroom.services import agency_merge
from tests.newsroom.helpers import assert_refused

pytestmark = pytest.mark.django_db

MERGE_DAY = datetime.date(2025, 7, 1)
MERGE_URL = "/admin/newsroom/sap-nhap/"


@pytest.fixture
def agencies(demo):
    return Agency.objects.get(slug="ptth"), Agency.objects.get(slug="baothanhhoa")


def test_merge_moves_outlets_and_keeps_history(agencies, staff):
    ptth, bth = agencies
    outlets = list(Outlet.objects.filter(agency=ptth))
    stories_before = StoryPage.objects.count()
    assert outlets
    agency_merge(source=ptth, target=bth, on_date=MERGE_DAY, user=staff("quantri"))
    ptth.refresh_from_db()
    assert ptth.merged_into == bth and ptth.merged_on == MERGE_DAY and not ptth.is_active
    for outlet in outlets:
        outlet.refresh_from_db()
        assert outlet.agency == bth
        history = list(OutletOwnership.objects.filter(outlet=outlet).order_by("valid_from"))
        assert [(h.agency, h.valid_to) for h in history] == [(ptth, MERGE_DAY), (bth, None)]
        assert history[1].valid_from == MERGE_DAY
        # Who owned the outlet on a day before the merger is still answerable.
        owner_2024 = OutletOwnership.objects.get(
            outlet=outlet, valid_from__lte=datetime.date(2024, 6, 1), valid_to__gt="2024-06-01"
        )
        assert owner_2024.agency == ptth
    assert StoryPage.objects.count() == stories_before
    assert Agency.objects.filter(pk=ptth.pk).exists()
    entry = ModelLogEntry.objects.get(action="newsroom.agency_merge", object_id=str(ptth.pk))
    assert entry.user.username == "quantri" and entry.data["into"] == bth.pk


def test_second_merge_and_self_merge_are_refused(agencies):
    ptth, bth = agencies
    vannghe = Agency.objects.get(slug="vannghe")
    agency_merge(source=ptth, target=bth, on_date=MERGE_DAY)
    rows = OutletOwnership.objects.count()
    with pytest.raises(ValidationError, match="đã được sáp nhập trước đó"):
        agency_merge(source=ptth, target=vannghe, on_date=MERGE_DAY)
    with pytest.raises(ValidationError, match="đã được sáp nhập vào cơ quan khác"):
        agency_merge(source=vannghe, target=ptth, on_date=MERGE_DAY)
    with pytest.raises(ValidationError, match="chính nó"):
        agency_merge(source=bth, target=bth, on_date=MERGE_DAY)
    assert OutletOwnership.objects.count() == rows
    ptth.refresh_from_db()
    assert ptth.merged_into == bth


def test_merge_admin_view_for_superusers_only(login, agencies):
    ptth, bth = agencies
    data = {"source": ptth.pk, "target": bth.pk, "on_date": "2025-07-01"}
    assert_refused(login("tongbientap.baothanhhoa").post(MERGE_URL, data))
    ptth.refresh_from_db()
    assert ptth.is_active
    admin = login("quantri")
    # The sidebar menu is JSON: look for the item's address.
    assert MERGE_URL in admin.get("/admin/").content.decode()
    assert MERGE_URL not in login("tongbientap.baothanhhoa").get("/admin/").content.decode()
    response = admin.post(MERGE_URL, data)
    assert response.status_code == 302
    ptth.refresh_from_db()
    assert ptth.merged_into == bth
    response = admin.post(MERGE_URL, data)
    assert response.status_code == 200
    assert "đã được sáp nhập" in response.content.decode()
    response = admin.post(MERGE_URL, {"source": bth.pk, "target": bth.pk, "on_date": "x"})
    html = response.content.decode()
    assert "Ngày sáp nhập không hợp lệ" in html
