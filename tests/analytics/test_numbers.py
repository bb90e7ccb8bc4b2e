"""Numbers on the staff screens read the Vietnamese way whatever the active language:
1.234 lượt, 12,5%, 300.000 đ; a missing figure is a dash, never a zero."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

NBSP = "\xa0"


def render(source, **context) -> str:
    return Template("{% load vn_numbers %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_counts_money_and_percentages(language):
    with translation.override(language):
        assert render("{{ n|vn_number }} lượt", n=1234) == "1.234 lượt"
        assert render("{{ n|vn_number }}", n=1234567890) == "1.234.567.890"
        assert render("{{ n|vn_number }}", n=999) == "999"
        assert render("{{ n|vn_number:1 }}", n=10721.84) == "10.721,8"
        assert render("{{ n|vnd }}", n=300000) == f"300.000{NBSP}đ"
        assert render("{{ n|vnd }}", n=-30000) == f"-30.000{NBSP}đ"
        assert render("{{ n|vn_percent }}", n=Decimal("12.5")) == "12,5%"
        assert render("{{ n|vn_percent:2 }}", n=1 / 3 * 100) == "33,33%"


def test_missing_figures_are_a_dash_and_text_passes_through():
    assert render("{{ n|vn_number }}|{{ n|vnd }}|{{ n|vn_percent }}", n=None) == "—|—|—"
    assert render("{{ n|vn_number }}", n="") == "—"
    assert render("{{ n|vnd }}", n="chưa có") == "chưa có"
    assert render("{{ n|vn_number }}", n=-0.2) == "0"  # never "-0"
