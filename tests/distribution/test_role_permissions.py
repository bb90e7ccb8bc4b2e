import datetime

import pytest

from newsroom.models import Agency, Role
from newsroom.services import agency_setup_roles

pytestmark = pytest.mark.django_db


def test_new_agency_leaders_get_follower_permissions_without_the_demo(demo):
    agency = Agency.objects.create(
        name="Báo Mới Thử",
        slug="baomoithu",
        licence_number="1/GP",
        licence_date=datetime.date(2026, 1, 1),
        licence_issuer="Bộ Văn hóa, Thể thao và Du lịch",
        governing_body="UBND tỉnh",
        address="Thanh Hóa",
        editor_in_chief="Nguyễn Văn A",
    )
    groups = agency_setup_roles(agency=agency)
    eic = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in groups[Role.EDITOR_IN_CHIEF].permissions.select_related("content_type")
    }
    assert "distribution.change_platform" in eic
    assert "analytics.add_printcirculation" in eic
    reporter = {p.codename for p in groups[Role.REPORTER].permissions.all()}
    assert "change_platform" not in reporter
