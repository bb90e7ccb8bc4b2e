"""Admin hooks of broadcasting and the media pipeline (imported by wagtail_hooks.py)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from .views import broadcast_admin

register_snippet(broadcast_admin.BroadcastGroup)


@hooks.register("register_admin_urls")
def register_broadcast_admin_urls():
    return [
        path(
            "media-pipeline/<int:pk>/retry/",
            broadcast_admin.media_retry,
            name="newsroom_media_retry",
        ),
        path(
            "kich-ban/<int:pk>/in/",
            broadcast_admin.rundown_print,
            name="newsroom_rundown_print",
        ),
        path(
            "lich-phat-song/nhap-csv/",
            broadcast_admin.schedule_import,
            name="newsroom_schedule_import",
        ),
    ]


class ScheduleImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("newsroom.add_broadcastslot")


@hooks.register("register_admin_menu_item")
def register_schedule_import_menu_item():
    return ScheduleImportMenuItem(
        "Nhập lịch phát sóng (CSV)",
        reverse("newsroom_schedule_import"),
        icon_name="upload",
        order=96,
    )
