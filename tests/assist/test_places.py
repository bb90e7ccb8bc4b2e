"""Communes and wards found in text through the register and the pre-2025 names."""

import csv
from pathlib import Path

import pytest

from assist import places
from newsroom.models import Place

SENTENCES = Path(__file__).parent / "data" / "commune_sentences.tsv"


def _sentences():
    lines = [
        line
        for line in SENTENCES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return [
        (row["sentence"], {e.strip() for e in (row["expected"] or "").split(";") if e.strip()})
        for row in rows
    ]


@pytest.fixture
def register(db):
    return dict(Place.objects.values_list("name", "pk"))


def test_every_old_name_leads_to_a_unit_of_the_register(register):
    assert len(register) == 166
    unknown = [old for old in places.old_names() if old.new_name not in register]
    assert unknown == []
    kinds = {old.kind for old in places.old_names()}
    assert kinds <= set(places.KIND_WORDS)


def _test_id(value) -> str:
    # Sorted: a set's order changes with each process's hash seed, and pytest-xdist's
    # workers must collect the same test names.
    return (", ".join(sorted(value)) if isinstance(value, set) else str(value))[:40]


@pytest.mark.parametrize("sentence,expected", _sentences(), ids=_test_id)
def test_sentences_written_by_a_reporter(register, sentence, expected):
    assert {hit.name for hit in places.find(sentence, register)} == expected


def test_old_names_say_where_they_come_from(register):
    (hit,) = places.find("Nông dân thị trấn Bút Sơn (huyện Hoằng Hóa) gặt lúa.", register)
    assert hit.name == "Xã Hoằng Hóa"
    assert set(hit.old_names) == {"thị trấn Bút Sơn", "huyện Hoằng Hóa"}


def test_an_old_ward_is_not_the_commune_of_the_same_name(register):
    ward = places.find("Trụ sở phường Lam Sơn cũ được sửa làm nhà văn hóa.", register)
    town = places.find("Chợ thị trấn Lam Sơn họp từ sáng sớm.", register)
    assert [h.name for h in ward] == ["Phường Hạc Thành"]
    assert [h.name for h in town] == ["Xã Lam Sơn"]


def test_a_name_in_running_text_without_marks_is_not_a_commune(register):
    # "hoang tien" without a kind word and without marks is not taken for Hoằng Tiến.
    assert places.find("nhung nguoi hoang tien ra dong", register) == []
    assert [h.name for h in places.find("Nguoi dan xa hoang tien ra dong", register)] == [
        "Xã Hoằng Tiến"
    ]


def test_either_tone_placement(register):
    assert [h.name for h in places.find("Về Hoằng Hoá mùa gặt", register)] == ["Xã Hoằng Hóa"]
