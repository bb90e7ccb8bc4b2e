import unicodedata

import pytest

from search.folding import fold, has_diacritics, search_text, tokens
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
