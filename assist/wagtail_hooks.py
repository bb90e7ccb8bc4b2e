"""The "Gợi ý AI" panel in the story editor (a script on Wagtail's edit and create
views), its JSON endpoints, and Admin → "Gợi ý AI": the log of decisions (editors, their
own agencies only) and each agency's house style."""

import datetime

from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    EditView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from newsroom.models import StoryPage
from newsroom.selectors import user_agencies

from . import views
from .models import AssistDecision, AssistSettings


@hooks.register("register_admin_urls")
def assist_urls():
    return [
        path("goi-y-ai/goi-y/", views.suggest, name="assist_suggest"),
        path("goi-y-ai/quyet-dinh/", views.decide, name="assist_decide"),
    ]


@hooks.register("insert_editor_js")
def assist_panel_js():
    return format_html(
        '<script src="{}" data-suggest-url="{}" data-decide-url="{}" defer></script>',
        static("assist/panel.js"),
        reverse("assist_suggest"),
        reverse("assist_decide"),
    )


# The editor's own CSS hook is gone from Wagtail 7: the global one (classes are the panel's).
@hooks.register("insert_global_admin_css")
def assist_panel_css():
    return format_html('<link rel="stylesheet" href="{}">', static("assist/panel.css"))


# Decisions taken while the story was first written have no page yet: the first save
# gives them their story (same writer, same section, the last few hours).
UNSAVED_DECISIONS_HOURS = 6


@hooks.register("after_create_page")
def assist_decisions_to_new_story(request, page):
    if not isinstance(page.specific, StoryPage):
        return
    since = timezone.now() - datetime.timedelta(hours=UNSAVED_DECISIONS_HOURS)
    AssistDecision.objects.filter(
        user=request.user, section_id=page.get_parent().pk, story=None, created_at__gte=since
    ).update(story=page)


def _scoped(queryset, request):
    return queryset.filter(agency__in=user_agencies(request.user))


class _OwnAgencyOnly:
    """An object of another agency is refused, whatever its address."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not user_agencies(self.request.user).filter(pk=obj.agency_id).exists():
            raise PermissionDenied
        return obj


class DecisionInspectView(_OwnAgencyOnly, InspectView):
    pass


class SettingsEditView(_OwnAgencyOnly, EditView):
    pass


class DecisionViewSet(SnippetViewSet):
    model = AssistDecision
    icon = "list-ul"
    menu_label = "Nhật ký gợi ý AI"
    url_prefix = "goi-y-ai/nhat-ky"
    list_display = ["created_at", "user", "story", "kind", "value", "accepted"]
    list_filter = ["kind", "accepted", "agency"]
    inspect_view_enabled = True
    inspect_view_class = DecisionInspectView

    def get_queryset(self, request):
        return _scoped(AssistDecision.objects.select_related("user", "story", "agency"), request)


class SettingsViewSet(SnippetViewSet):
    model = AssistSettings
    icon = "cog"
    menu_label = "Cài đặt gợi ý AI"
    url_prefix = "goi-y-ai/cai-dat"
    list_display = ["agency", "tone_style"]
    # One row per agency, made with the agency (apps.grant_permissions); only the style is
    # edited, so no one moves a row to another agency.
    panels = [FieldPanel("tone_style")]
    edit_view_class = SettingsEditView

    def get_queryset(self, request):
        return _scoped(AssistSettings.objects.select_related("agency"), request)


class AssistGroup(SnippetViewSetGroup):
    menu_label = "Gợi ý AI"
    menu_icon = "wand-magic"
    menu_order = 430
    items = (DecisionViewSet, SettingsViewSet)


register_snippet(AssistGroup)
