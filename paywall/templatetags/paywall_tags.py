"""Template side of the gating rule: the story body (teaser, paid blocks only when
entitled, else a wall) and descriptions that come only from the free part."""

from django import template
from django.utils.text import Truncator

from analytics.templatetags.vn_numbers import format_number

from ..gating import paid_blocks, public_text, teaser_blocks
from ..selectors import plans_for_site
from ..services import GIFT_PARAM, story_access

register = template.Library()


def decision_for(request, story):
    """One decision per request and story (the meter is charged once)."""
    cache = getattr(request, "_paywall_decisions", None)
    if cache is None:
        cache = request._paywall_decisions = {}
    if story.pk not in cache:
        decision = story_access(request, story)
        cache[story.pk] = decision
        request._paywall_decision = decision
    return cache[story.pk]


@register.simple_tag(takes_context=True)
def paywall_access(context, story):
    """The request's decision for the story (the same one the body uses): the story
    page shows the story's audio/video player only when `decision.full`."""
    return decision_for(context["request"], story)


@register.inclusion_tag("paywall/story_body.html", takes_context=True)
def paywall_story_body(context, story):
    request = context["request"]
    decision = decision_for(request, story)
    site = story.get_site()
    return {
        "request": request,
        "story": story,
        "decision": decision,
        "teaser": teaser_blocks(story),
        # Paid blocks are only handed to the template when the reader is entitled.
        "paid": paid_blocks(story) if decision.full else [],
        "plans": plans_for_site(site) if not decision.full else [],
        "user": request.user,
        "gift_param": GIFT_PARAM,
        "can_gift": decision.reason == "subscriber" and story.access_level != "free",
        "printing": context.get("printing", False),
    }


@register.simple_tag
def paywall_description(story, length=200):
    """Meta/og description: the standfirst, else the free text; never paid text. Kept on
    the story instance: the page asks twice (meta and og)."""
    known = story.__dict__.setdefault("_paywall_descriptions", {})
    if length not in known:
        text = (getattr(story, "standfirst", "") or "").strip() or public_text(story)
        known[length] = Truncator(" ".join(text.split())).chars(length)
    return known[length]


@register.filter
def dong(value):
    """12345 -> "12.345" (Vietnamese thousands separator), for amounts in đồng."""
    return format_number(value)
