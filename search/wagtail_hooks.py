from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views.admin import staff_search


@hooks.register("register_admin_urls")
def register_search_admin_urls():
    return [path("tim-kiem-luu-tru/", staff_search, name="search_staff")]


@hooks.register("register_admin_menu_item")
def register_search_menu_item():
    return MenuItem("Tìm kiếm lưu trữ", reverse("search_staff"), icon_name="search", order=250)
