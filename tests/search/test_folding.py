import unicodedata

import pytest

from search.folding import fold, has_diacritics, search_text, tokens, tone_variants
from search.highlight import mark, snippet


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Thanh Hóa chuyển đổi số", "thanh hoa chuyen doi so"),
        ("ĐẮK LẮK, Đồng Đăng", "dak lak, dong dang"),
        ("Bão số 3 đổ bộ", "bao so 3 do bo"),
        ("Mường Lát, Quan Sơn, Bá Thước", "muong lat, quan son, ba thuoc"),
        (
            "ỹ ỵ ử ữ ự ằ ẳ ẵ ặ ấ ầ ẩ ẫ ậ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ",
            "y y u u u a a a a a a a a a e e e e e o o o o o o o o o o",
        ),
        ("plain ascii 2025", "plain ascii 2025"),
    ],
)
def test_fold_vietnamese(text, folded):
    assert fold(text) == folded


def test_fold_keeps_length_and_handles_decomposed_input():
    text = "Tạp chí Văn nghệ Xứ Thanh: đổi mới"
    assert len(fold(text)) == len(text)
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert fold(decomposed) == fold(text)
    assert tokens(decomposed) == tokens(text)


def test_tokens_drop_query_syntax():
    assert tokens('"bão" AND (báo) OR 1=1; DROP TABLE x; -- title:* ~^2 \\') == [
        "bão",
        "and",
        "báo",
        "or",
        "1",
        "1",
        "drop",
        "table",
        "x",
        "title",
        "2",
    ]
    assert search_text("Bão, số 3!") == " bão số 3 "


def test_has_diacritics():
    assert has_diacritics("bão") and has_diacritics("đi")
    assert not has_diacritics("bao") and not has_diacritics("Thanh")


def test_highlight_escapes_and_prefers_exact_diacritics():
    html = mark("<b>Bão</b> và báo chí", ["bão"])
    assert html == "&lt;b&gt;<mark>Bão</mark>&lt;/b&gt; và báo chí"
    assert mark("Bão và báo", ["bao"]) == "<mark>Bão</mark> và <mark>báo</mark>"
    long_text = "mở đầu " * 60 + "chuyển đổi số ở xã biên giới " + "kết thúc " * 60
    piece = snippet(long_text, ["chuyen", "doi", "so"])
    assert piece.startswith("… ") and piece.endswith(" …")
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in piece


@pytest.mark.parametrize(
    "word, variants",
    [
        ("hoà", ["hoà", "hòa"]),
        ("Hòa", ["hòa", "hoà"]),
        ("thuỷ", ["thuỷ", "thủy"]),
        ("khoẻ", ["khoẻ", "khỏe"]),
        ("quý", ["quý"]),  # "qu" is a consonant: one spelling
        ("của", ["của"]),
        ("hoàn", ["hoàn"]),  # a final consonant: one spelling
        ("hoa", ["hoa"]),
    ],
)
def test_tone_variants_old_and_new_placement(word, variants):
    assert tone_variants(word) == variants


def test_vocabulary_splits_and_corrects_without_a_database():
    from search.vocabulary import Term, rank_candidates, relaxed_levels, split

    words = {"sam": 5, "son": 9, "song": 40, "thanh": 50, "hoa": 30, "so": 20, "lo": 3}
    words |= {"ung": 2, "luong": 4, "long": 30}

    def known(pieces):
        return {p: Term(p, p, words[p]) for p in pieces if p in words}

    assert split("samson", known) == ["sam", "son"]
    assert split("thanhhoa", known) == ["thanh", "hoa"]
    assert split("so3", known) == ["so", "3"]
    assert split("xyzxyz", known) is None
    vocabulary = list(words.items())
    assert rank_candidates("loung", vocabulary)[0] == "luong"  # a swap before a dropped letter
    assert rank_candidates("sonn", vocabulary)[0] == "son"  # a doubled letter, not "song"
    assert rank_candidates("kihn", vocabulary) == []
    assert relaxed_levels(4) == [3, 2] and relaxed_levels(2) == [1] and relaxed_levels(1) == []
