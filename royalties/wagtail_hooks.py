from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from newsroom.models import AgencyRole

from . import admin_urls
from .views.admin import viewable_agencies
from .views.snippets import RoyaltyFrameGroup

register_snippet(RoyaltyFrameGroup)


@hooks.register("register_admin_urls")
def royalties_admin_urls():
    return [path("nhuan-but/", include(admin_urls, namespace="royalties_admin"))]


class MonthItem(MenuItem):
    def is_shown(self, request):
        return bool(viewable_agencies(request.user))


class MineItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return AgencyRole.objects.filter(group__user=user).exists() or user.royalty_shares.exists()


@hooks.register("register_admin_menu_item")
def royalties_menu():
    items = [
        MonthItem("Chấm nhuận bút", reverse("royalties_admin:month"), icon_name="tasks"),
        MineItem("Nhuận bút của tôi", reverse("royalties_admin:mine"), icon_name="user"),
    ]
    return SubmenuMenuItem("Nhuận bút", Menu(items=items), icon_name="doc-full-inverse", order=305)
