"""Admin hooks of staff media: choosers scoped to the agency's collection plus cuts shared
with it, the processing-state endpoint, sharing, the upload progress script (imported by
wagtail_hooks.py)."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .media import views as media_views
from .media.sharing import media_usable_by


@hooks.register("register_admin_urls")
def register_media_admin_urls():
    return [
        path(
            "media-pipeline/trang-thai/",
            media_views.media_status,
            name="newsroom_media_status",
        ),
        path(
            "media-pipeline/<int:pk>/chon/",
            media_views.media_chosen,
            name="newsroom_media_chosen",
        ),
        path(
            "media-pipeline/<int:pk>/chia-se/",
            media_views.media_share_view,
            name="newsroom_media_share",
        ),
    ]


@hooks.register("construct_media_chooser_queryset")
def media_chooser_own_and_shared(media_files, request):
    # wagtailmedia passes the cuts the user may edit (their collections, their uploads);
    # the chooser also offers those another agency shared with theirs.
    return media_usable_by(request.user)


@hooks.register("construct_main_menu")
def media_menu_in_vietnamese(request, menu_items):
    for item in menu_items:
        if item.name == "media":
            item.label = "Âm thanh / video"


@hooks.register("insert_global_admin_js")
def media_upload_js():
    return format_html(
        '<script src="{}" data-status-url="{}" defer></script>',
        static("newsroom/admin/media-upload.js"),
        reverse("newsroom_media_status"),
    )


@hooks.register("insert_global_admin_css")
def media_upload_css():
    return format_html('<link rel="stylesheet" href="{}">', static("newsroom/admin/media.css"))


@hooks.register("register_log_actions")
def register_media_log_actions(actions):
    @actions.register_action("newsroom.media_share")
    class ShareFormatter(LogFormatter):
        label = "Chia sẻ với cơ quan"

        def format_message(self, log_entry):
            return "Chia sẻ với " + log_entry.data.get("agency_name", "")

    @actions.register_action("newsroom.media_unshare")
    class UnshareFormatter(LogFormatter):
        label = "Thôi chia sẻ với cơ quan"

        def format_message(self, log_entry):
            return "Thôi chia sẻ với " + log_entry.data.get("agency_name", "")
