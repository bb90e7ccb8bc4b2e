"""Communes and wards named in a text, through the register (`newsroom.Place`, 166 units)
and the names used before the 2025 reorganisation (`data/old_places.csv`).

A name counts when written with its kind ("xã Hoằng Tiến", "phường Hạc Thành", "thị
trấn Bút Sơn", "huyện Hoằng Hóa"), with or without diacritics, in either tone placement;
or, for today's units only, as a capitalised name alone ("Hoằng Tiến"). Old names are
read first: "phường Lam Sơn" (old ward of the city, today in Hạc Thành) is not "xã Lam
Sơn" (old Thọ Xuân town, today a commune of that name)."""

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from search.folding import fold, normalize

from .models import ToneStyle
from .text import WORD_RE as _WORD_RE
from .text import styled

DATA_FILE = Path(__file__).parent / "data" / "old_places.csv"
# Kind words as reporters write them, folded; "tt"/"tx"/"tp" abbreviations too.
KIND_WORDS = {
    "xã": ["xa"],
    "phường": ["phuong"],
    "đặc khu": ["dac khu"],
    "thị trấn": ["thi tran", "tt"],
    "thị xã": ["thi xa", "tx"],
    "thành phố": ["thanh pho", "tp"],
    "huyện": ["huyen"],
}
# Weight of a mention: with today's kind word, an old commune-level name, an old
# district (which covered many of today's communes), a bare capitalised name.
WEIGHT_CURRENT, WEIGHT_OLD, WEIGHT_DISTRICT, WEIGHT_BARE = 3.0, 3.0, 1.0, 1.0


@dataclass(frozen=True)
class OldName:
    kind: str
    name: str
    new_name: str


@dataclass
class PlaceHit:
    place_id: int
    name: str
    score: float = 0.0
    mentions: list[str] = field(default_factory=list)
    old_names: list[str] = field(default_factory=list)
    district_only: bool = True


@functools.cache
def old_names() -> tuple[OldName, ...]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple(OldName(r["old_kind"], normalize(r["old_name"]), r["new_name"]) for r in rows)


def _short(name: str) -> str:
    return name.split(" ", 1)[1] if name.split(" ", 1)[0] in ("Xã", "Phường") else name


def _kind_of(name: str) -> str:
    return "phường" if name.startswith("Phường") else "xã"


def _kind_regex(kind: str) -> str:
    return "(?:" + "|".join(re.escape(k) for k in KIND_WORDS[kind]) + r")\.?"


def _name_regex(folded_name: str) -> str:
    return r"\s+".join(map(re.escape, folded_name.split()))


_BOUND_L, _BOUND_R = r"(?<![^\W_])", r"(?![^\W_])"


@functools.lru_cache(maxsize=1024)
def _kind_name_pattern(kind: str, folded_name: str) -> re.Pattern:
    return re.compile(_BOUND_L + _kind_regex(kind) + r"\s+" + _name_regex(folded_name) + _BOUND_R)


@functools.lru_cache(maxsize=1024)
def _bare_pattern(styled_name: str) -> re.Pattern:
    return re.compile(_BOUND_L + r"\s+".join(map(re.escape, styled_name.split())) + _BOUND_R)


def find(text: str, places: dict[str, int]) -> list[PlaceHit]:
    """`places`: register name ("Xã Hoằng Hóa") → Place id. Best first."""
    text = normalize(text)
    folded = fold(text)
    taken = [False] * len(folded)
    hits: dict[int, PlaceHit] = {}

    def claim(match, place_name, weight, old=None):
        start, end = match.span()
        if any(taken[start:end]) or place_name not in places:
            return
        for i in range(start, end):
            taken[i] = True
        hit = hits.setdefault(places[place_name], PlaceHit(places[place_name], place_name))
        hit.score += weight
        hit.district_only = hit.district_only and old is not None and old.startswith("huyện ")
        hit.mentions.append(text[start:end])
        if old and old not in hit.old_names:
            hit.old_names.append(old)

    for old in sorted(old_names(), key=lambda o: -len(o.name)):
        weight = WEIGHT_DISTRICT if old.kind == "huyện" else WEIGHT_OLD
        for match in _kind_name_pattern(old.kind, fold(old.name)).finditer(folded):
            claim(match, old.new_name, weight, old=f"{old.kind} {old.name}")
    for name in sorted(places, key=len, reverse=True):
        for match in _kind_name_pattern(_kind_of(name), fold(_short(name))).finditer(folded):
            claim(match, name, WEIGHT_CURRENT)
    # A bare name must be written as a name: capitalised, with its diacritics (either tone
    # placement), so "hoang hoa" in running text is not taken for a commune.
    plain = _WORD_RE.sub(lambda m: styled(m.group(), ToneStyle.FIRST), text)
    for name in sorted(places, key=len, reverse=True):
        short = " ".join(styled(w, ToneStyle.FIRST) for w in _short(name).split())
        for match in _bare_pattern(short).finditer(plain):
            claim(match, name, WEIGHT_BARE)
    # "thị trấn Lam Sơn, huyện Thọ Xuân": a district named beside a commune only says
    # where the commune was; it counts alone only when no commune or ward is named.
    if any(not hit.district_only for hit in hits.values()):
        hits = {pk: hit for pk, hit in hits.items() if not hit.district_only}
    return sorted(hits.values(), key=lambda h: (-h.score, h.name))
