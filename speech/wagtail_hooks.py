from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls
from .admin_views import user_may_see


@hooks.register("register_admin_urls")
def register_speech_urls():
    return [path("nghe-bai-viet/", include(admin_urls))]


class ListenMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_see(request.user)


@hooks.register("register_admin_menu_item")
def register_speech_menu():
    return ListenMenuItem(
        "Nghe bài viết", reverse("speech_admin:index"), icon_name="media", order=460
    )


@hooks.register("register_page_header_buttons")
def story_listen_button(page, user, view_name, next_url=None):
    from wagtail.admin.widgets import Button

    from newsroom.models import StoryPage

    from .models import StoryAudio

    if page.specific_class is not StoryPage or not user_may_see(user):
        return
    row = StoryAudio.objects.filter(story_id=page.pk).first()
    state = row.get_state_display() if row else "Chưa có"
    yield Button(
        f"Bản nghe: {state}",
        reverse("speech_admin:index") + f"?trang={page.pk}",
        icon_name="media",
        priority=67,
    )
