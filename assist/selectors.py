"""Reads of the assistant: where a draft is being written, and what its outlet knows."""

from django.core.exceptions import PermissionDenied
from wagtail.models import Page

from newsroom.models import Place, SectionPage, StoryPage
from newsroom.selectors import user_agencies

from .corpus import outlet_corpus
from .models import AssistSettings, ToneStyle
from .suggesters import Context


def draft_location(*, user, page_id: int | None, parent_id: int | None):
    """(agency, section, story or None) of the story `user` is editing (`page_id`) or
    writing in section `parent_id`; PermissionDenied unless the user may edit that story
    or add one there (Wagtail's page permissions, which are per agency) and is staff of
    the agency."""
    if page_id:
        story = StoryPage.objects.filter(pk=page_id).first()
        if story is None or not story.permissions_for_user(user).can_edit():
            raise PermissionDenied
        section = story.get_parent().specific
    else:
        story = None
        parent = Page.objects.filter(pk=parent_id or 0).first()
        section = parent.specific if parent is not None else None
        if (
            not isinstance(section, SectionPage)
            or not parent.permissions_for_user(user).can_add_subpage()
        ):
            raise PermissionDenied
    outlet = getattr(section.get_site(), "outlet", None)
    if outlet is None or not user_agencies(user).filter(pk=outlet.agency_id).exists():
        raise PermissionDenied
    return outlet.agency, section, story


def tone_style(agency) -> str:
    settings = AssistSettings.objects.filter(agency=agency).first()
    return settings.tone_style if settings else ToneStyle.FIRST


def outlet_context(*, section: SectionPage, exclude_page_id: int | None = None) -> Context:
    outlet = section.get_site().outlet
    home = section.get_parent()
    corpus = outlet_corpus(outlet.pk)
    tag_names = sorted(
        {name for doc in corpus.docs if doc.page_id != exclude_page_id for name in doc.tags}
    )
    return Context(
        corpus=corpus,
        outlet_id=outlet.pk,
        sections=dict(SectionPage.objects.child_of(home).values_list("pk", "title")),
        places=dict(Place.objects.values_list("name", "pk")),
        tone_style=tone_style(outlet.agency),
        tag_names=tag_names,
    )
