from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from newsroom.selectors import user_agencies, user_is_department_officer

from . import admin_urls
from .views.snippets import HandEnteredGroup

register_snippet(HandEnteredGroup)


@hooks.register("register_admin_urls")
def analytics_admin_urls():
    return [path("thong-ke/", include(admin_urls, namespace="analytics_admin"))]


class StaffItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or user_agencies(request.user).exists()


class OfficerItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or user_is_department_officer(request.user)


class AdminItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def analytics_menu():
    items = [
        StaffItem("Bảng điều khiển", reverse("analytics_admin:dashboard"), icon_name="view"),
        StaffItem("Số liệu của tôi", reverse("analytics_admin:mine"), icon_name="user"),
        StaffItem("Chỉ tiêu kế hoạch", reverse("analytics_admin:indicators"), icon_name="list-ol"),
        StaffItem("Văn bản của Sở", reverse("analytics_admin:guidance_list"), icon_name="mail"),
        OfficerItem("Cổng Sở", reverse("analytics_admin:portal"), icon_name="globe"),
        AdminItem("Dải IP theo địa bàn", reverse("analytics_admin:ip_ranges"), icon_name="site"),
    ]
    return SubmenuMenuItem("Thống kê & chỉ tiêu", Menu(items=items), icon_name="table", order=300)
