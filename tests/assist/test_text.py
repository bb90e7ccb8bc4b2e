"""Tone placement by the house style."""

import pytest

from assist.models import ToneStyle
from assist.text import match_case, sentences, styled


@pytest.mark.parametrize(
    "word,first,second",
    [
        ("hoà", "hòa", "hoà"),
        ("hòa", "hòa", "hoà"),
        ("thuỷ", "thủy", "thuỷ"),
        ("Hoá", "Hóa", "Hoá"),
        ("khoẻ", "khỏe", "khoẻ"),
        ("quý", "quý", "quý"),  # u belongs to "qu": one spelling
        ("hoàng", "hoàng", "hoàng"),  # a final consonant: one spelling
        ("toán", "toán", "toán"),
        ("thanh", "thanh", "thanh"),
    ],
)
def test_styled(word, first, second):
    assert styled(word, ToneStyle.FIRST) == first
    assert styled(word, ToneStyle.SECOND) == second


def test_match_case_and_sentences():
    assert match_case("Thanh Hoa", "thanh hóa") == "Thanh Hóa"
    assert match_case("UBND", "ubnd") == "UBND"
    assert sentences("Mưa lớn. Lũ về! Dân sơ tán…") == ["Mưa lớn.", "Lũ về!", "Dân sơ tán…"]
