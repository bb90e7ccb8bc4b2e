from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter

from . import views


@hooks.register("register_admin_urls")
def register_transcript_urls():
    return [
        path("ban-ghi-loi/", views.transcript_index, name="transcripts_index"),
        path("ban-ghi-loi/<int:asset_id>/", views.transcript_edit, name="transcripts_edit"),
        path("ban-ghi-loi/<int:asset_id>/tao/", views.transcript_start, name="transcripts_start"),
        path(
            "ban-ghi-loi/<int:asset_id>/tao-bai-viet/",
            views.transcript_story,
            name="transcripts_story",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_transcript_menu_item():
    return MenuItem("Bản ghi lời", reverse("transcripts_index"), icon_name="media", order=255)


@hooks.register("insert_global_admin_css")
def transcript_css():
    return format_html('<link rel="stylesheet" href="{}">', static("transcripts/admin.css"))


@hooks.register("register_log_actions")
def register_transcript_log_actions(actions):
    @actions.register_action("transcripts.correct")
    class CorrectFormatter(LogFormatter):
        label = "Hiệu đính bản ghi lời"

    @actions.register_action("transcripts.story")
    class StoryFormatter(LogFormatter):
        label = "Tạo bài viết từ bản ghi lời"
