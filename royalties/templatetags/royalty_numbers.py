"""{{ value|nb_num }}: a coefficient or percentage as Vietnamese write it (9, 2,5)."""

from django import template

from ..services import num

register = template.Library()


@register.filter
def nb_num(value):
    return num(value) if value not in (None, "") else "—"
