from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def offline_theme_colour() -> str:
    return settings.HOITU_OFFLINE_THEME_COLOUR
