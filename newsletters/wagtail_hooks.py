"""Admin → "Bản tin email": the editions (see the draft, edit its intro and the order of
its stories, preview the free and the subscriber copy, schedule or send now), the lists
and the subscribers. Editors see only the outlets of their own agencies."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup

from .models import Edition, Newsletter, Subscriber
from .selectors import editor_sites


def _scoped(queryset, request, field):
    sites = editor_sites(request.user)
    return queryset if sites is None else queryset.filter(**{f"{field}__in": sites})


class EditionEditView(EditView):
    """An edition that is sending or sent is a record of what readers got: it is no
    longer edited."""

    def get_object(self, queryset=None):
        edition = super().get_object(queryset)
        if not edition.editable:
            raise PermissionDenied("Số này đã gửi, không sửa được nữa.")
        return edition


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "mail"
    menu_label = "Các số bản tin"
    url_prefix = "ban-tin/so"
    list_display = ["subject", "newsletter", "date", "status", "scheduled_at", "sent_at"]
    list_filter = ["status", "newsletter__site"]
    edit_view_class = EditionEditView

    def get_queryset(self, request):
        return _scoped(
            Edition.objects.select_related("newsletter__site"), request, "newsletter__site"
        )


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "list-ul"
    menu_label = "Danh sách bản tin"
    url_prefix = "ban-tin/danh-sach"
    list_display = ["title", "site", "section", "send_time", "auto_schedule", "is_active"]
    list_filter = ["site", "is_active"]

    def get_queryset(self, request):
        return _scoped(Newsletter.objects.select_related("site", "section"), request, "site")


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "Người nhận"
    url_prefix = "ban-tin/nguoi-nhan"
    list_display = ["email", "site", "status", "confirmed_at", "bounce_count"]
    list_filter = ["status", "site"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return _scoped(Subscriber.objects.select_related("site"), request, "site")


class NewsletterGroup(SnippetViewSetGroup):
    menu_label = "Bản tin email"
    menu_icon = "mail"
    menu_order = 420
    items = (EditionViewSet, NewsletterViewSet, SubscriberViewSet)


register_snippet(NewsletterGroup)


@hooks.register("register_admin_urls")
def register_edition_urls():
    from . import admin_views

    return [
        path(
            "ban-tin/so/<int:pk>/xem-truoc/<str:kind>/",
            admin_views.edition_preview,
            name="newsletters_edition_preview",
        ),
        path("ban-tin/so/<int:pk>/gui/", admin_views.edition_send, name="newsletters_edition_send"),
    ]


@hooks.register("register_snippet_listing_buttons")
def edition_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Edition):
        return
    for kind, label in (("mien-phi", "Xem bản miễn phí"), ("thue-bao", "Xem bản thuê bao")):
        yield ListingButton(
            label,
            reverse("newsletters_edition_preview", args=[snippet.pk, kind]),
            icon_name="view",
            priority=20,
        )
    if snippet.editable and user.has_perm("newsletters.change_edition"):
        yield ListingButton(
            "Gửi ngay / lên lịch",
            reverse("newsletters_edition_send", args=[snippet.pk]),
            icon_name="mail",
            priority=30,
        )
