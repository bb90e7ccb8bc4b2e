"""Admin → "Bản tin email": the editions (see the draft, edit its intro and the order of
its stories, preview the free and the subscriber copy, schedule or send now), the lists
and the subscribers. Editors see only the outlets of their own agencies."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSetGroup

from newsroom.views.snippets import AgencyScopedViewSet

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


# Scoped by agency as the newsroom's snippets are: another agency's edition, list or
# subscriber (an e-mail address) cannot be opened, edited or deleted by its address either.
class EditionViewSet(AgencyScopedViewSet):
    agency_lookup = "newsletter__site__outlet__agency__in"
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


class NewsletterForm(WagtailAdminModelForm):
    """A list is made for one of the user's own outlets, with a section of that outlet."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        sites = editor_sites(for_user) if for_user is not None else None
        if sites is not None and "site" in self.fields:
            self.fields["site"].queryset = sites
            self.fields["site"].error_messages["invalid_choice"] = (
                "Trang báo không hợp lệ hoặc không thuộc cơ quan của bạn."
            )

    def clean(self):
        cleaned = super().clean()
        site, section = cleaned.get("site"), cleaned.get("section")
        if (
            site
            and section
            and not section.get_descendants(inclusive=True)
            .filter(pk=section.pk, path__startswith=site.root_page.path)
            .exists()
        ):
            self.add_error("section", "Chuyên mục này không thuộc trang báo đã chọn.")
        return cleaned


class NewsletterViewSet(AgencyScopedViewSet):
    agency_lookup = "site__outlet__agency__in"
    base_form_class = NewsletterForm
    model = Newsletter
    icon = "list-ul"
    menu_label = "Danh sách bản tin"
    url_prefix = "ban-tin/danh-sach"
    list_display = ["title", "site", "section", "send_time", "auto_schedule", "is_active"]
    list_filter = ["site", "is_active"]

    def get_queryset(self, request):
        return _scoped(Newsletter.objects.select_related("site", "section"), request, "site")


class SubscriberViewSet(AgencyScopedViewSet):
    agency_lookup = "site__outlet__agency__in"
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
