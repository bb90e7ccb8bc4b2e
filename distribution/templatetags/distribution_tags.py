from django import template
from django.utils.safestring import mark_safe

from ..jsonld import dumps_for_script, story_jsonld

register = template.Library()


@register.simple_tag(takes_context=True)
def story_jsonld_script(context, page):
    data = story_jsonld(page, context.get("request"))
    return mark_safe(f'<script type="application/ld+json">{dumps_for_script(data)}</script>')
