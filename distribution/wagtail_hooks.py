from django.contrib import messages
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from .selectors import user_can_view_distribution
from .views import admin as admin_views
from .views.snippets import PartnerKeyViewSet, PlatformViewSet, SharingPolicyViewSet

register_snippet(PlatformViewSet)
register_snippet(SharingPolicyViewSet)
register_snippet(PartnerKeyViewSet)

admin_urls = (
    [
        path("", admin_views.index, name="index"),
        path("story/<int:pk>/", admin_views.story, name="story"),
        path("deliveries/<int:pk>/retry/", admin_views.retry, name="retry"),
    ],
    "distribution_admin",
)


@hooks.register("register_admin_urls")
def register_distribution_urls():
    return [path("distribution/", include(admin_urls))]


class DistributionMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_view_distribution(request.user)


@hooks.register("register_admin_menu_item")
def register_distribution_menu():
    return DistributionMenuItem(
        "Phân phối", reverse("distribution_admin:index"), icon_name="resubmit", order=450
    )


@hooks.register("after_create_snippet")
def show_new_partner_key(request, instance):
    raw = getattr(instance, "raw_key", None)
    if raw:
        messages.success(request, f"Khóa API mới (chỉ hiển thị một lần, hãy lưu lại): {raw}")


PLAINTEXT_WARNING = (
    "Nền tảng «{}» giao tệp qua FTP không mã hóa: tên đăng nhập, mật khẩu và tệp bài đi qua "
    "mạng ở dạng rõ. Chỉ dùng khi đối tác chưa có FTPS."
)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_plaintext_ftp(request, instance):
    from .models import Platform

    if isinstance(instance, Platform) and instance.sends_in_clear:
        messages.warning(request, PLAINTEXT_WARNING.format(instance.name))


@hooks.register("register_page_header_buttons")
def story_distribution_button(page, user, view_name, next_url=None):
    from wagtail.admin.widgets import Button

    from newsroom.models import StoryPage

    if page.specific_class is StoryPage and user_can_view_distribution(user):
        yield Button(
            "Phân phối",
            reverse("distribution_admin:story", args=[page.pk]),
            icon_name="resubmit",
            priority=66,
        )
