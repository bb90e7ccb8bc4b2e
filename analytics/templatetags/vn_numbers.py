"""Numbers the Vietnamese way, whatever the active locale: thousands grouped with dots,
decimals after a comma, money in đồng (1.234 lượt, 12,5%, 300.000 đ).

    {% load vn_numbers %}
    {{ total.pageviews|vn_number }} lượt   {{ hours|vn_number:1 }} giờ
    {{ revenue.total|vnd }}                {{ rate|vn_percent }}

Explicit filters rather than USE_THOUSAND_SEPARATOR: that setting would also group ids in
URLs and form values. Values that are not numbers (None, "") come out as "—" (empty
values) or unchanged, so a missing figure never reads as a zero. The Python functions are
used by the exports and the paywall's `dong` too, so every screen formats alike."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import numberformat

register = template.Library()

THOUSAND_SEPARATOR = "."
DECIMAL_SEPARATOR = ","
NBSP = "\u00a0"  # keeps "300.000 đ" on one line
EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_number(value, decimals: int = 0) -> str:
    """1234567 -> "1.234.567"; (12.345, 1) -> "12,3"; (60, 1) -> "60,0"."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    decimals = max(int(decimals), 0)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never "-0"
    return numberformat.format(
        number,
        DECIMAL_SEPARATOR,
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=THOUSAND_SEPARATOR,
        force_grouping=True,
        use_l10n=False,
    )


def format_vnd(value) -> str:
    """300000 -> "300.000 đ" (đồng have no decimals)."""
    if _decimal(value) is None:
        return format_number(value)
    return f"{format_number(value)}{NBSP}đ"


def format_percent(value, decimals: int = 1) -> str:
    """12.5 (already a percentage) -> "12,5%"."""
    if _decimal(value) is None:
        return format_number(value)
    return f"{format_number(value, decimals)}%"


@register.filter
def vn_number(value, decimals=0):
    return format_number(value, decimals)


@register.filter
def vnd(value):
    return format_vnd(value)


@register.filter
def vn_percent(value, decimals=1):
    return format_percent(value, decimals)
