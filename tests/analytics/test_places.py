import pytest
from django.core.management import CommandError, call_command

from analytics import collect
from analytics.models import IpRange
from analytics.selectors import place_classes
from analytics.services import ImportRejected, ip_ranges_import
from newsroom.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(demo):
    return Place.objects.filter(kind=PlaceKind.WARD).order_by("code").first()


@pytest.fixture
def commune(demo):
    return Place.objects.filter(kind=PlaceKind.COMMUNE).order_by("code").first()


def test_import_places_addresses_and_classes(ward, commune):
    count = ip_ranges_import(
        text=f"cidr,commune_code\n113.160.0.0/16,{ward.code}\n14.224.0.0/20,{commune.code}\n"
        f"2001:ee0::/32,{commune.code}\n8.8.8.0/24,0\n"
    )
    assert count == 4
    assert collect.place_from_ip("113.160.42.7") == ward.code
    assert collect.place_from_ip("14.224.15.255") == commune.code
    assert collect.place_from_ip("2001:ee0:1::5") == commune.code
    assert collect.place_from_ip("14.224.16.0") is None  # just past the range: unknown
    assert collect.place_of(ip="8.8.8.8", user=None) == 0
    classes = place_classes(
        {
            str(ward.code): {"visitors": 1},
            str(commune.code): {"visitors": 10},
            "0": {"visitors": 100},
            "unknown": {"visitors": 1000},
        }
    )
    assert (classes["urban"], classes["rural"]) == (1, 10)
    assert (classes["elsewhere"], classes["unknown"]) == (100, 1000)


def test_mountain_flags_come_from_the_place_list_as_edited(commune):
    Place.objects.filter(pk=commune.pk).update(is_mountainous=True, is_border=True, is_remote=False)
    classes = place_classes({str(commune.code): {"visitors": 7}, "unknown": {"visitors": 3}})
    assert classes["rural"] == 7 and classes["mountainous"] == 7 and classes["border"] == 7
    assert classes["urban"] == 0 and classes["unknown"] == 3 and classes["remote"] == 0


def test_bad_file_imports_nothing_and_names_every_bad_row(ward, tmp_path):
    ip_ranges_import(text=f"10.0.0.0/8,{ward.code}\n")
    bad = (
        f"cidr,commune_code\n"
        f"113.160.0.0/16,{ward.code}\n"
        f"113.161.0.0/33,{ward.code}\n"
        f"113.162.0.0/16,-5\n"
        f"113.163.0.0/16,99999999\n"
        f"113.164.0.0/16,abc\n"
        f"113.160.5.0/24,{ward.code}\n"
        f"113.165.0.0/16\n"
    )
    with pytest.raises(ImportRejected) as caught:
        ip_ranges_import(text=bad)
    text = "\n".join(caught.value.errors)
    for expected in (
        "row 3: '113.161.0.0/33' is not a valid network",
        "row 4: commune code -5 is negative",
        "row 5: commune code 99999999 is not a commune of Thanh Hóa",
        "row 6: commune code 'abc' is not a number",
        "overlaps 113.160.0.0/16 of row 2",
        "row 8: expected 2 columns",
    ):
        assert expected in text
    assert list(IpRange.objects.values_list("network", flat=True)) == ["10.0.0.0/8"]
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported: 6 bad row"):
        call_command("import_ip_ranges", str(path))
    assert IpRange.objects.count() == 1
