"""Admin → "Tin nóng": the alerts sent and their reach; on a published story, the
"Gửi tin nóng" action (page action menu, header and listing buttons) for the
editor-in-chief of the story's agency."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from newsroom.models import StoryPage

from . import selectors


def _may_alert(page, user) -> bool:
    if not (page.live and isinstance(page.specific_deferred, StoryPage)):
        return False
    site = page.get_site()
    return site is not None and selectors.may_send_for(user, site)


class AlertMenuItem(ActionMenuItem):
    name = "action-push-alert"
    label = "Gửi tin nóng"
    icon_name = "warning"
    order = 60

    def is_shown(self, context):
        page = context.get("page")
        return (
            context.get("view") == "edit"
            and page is not None
            and _may_alert(page, context["request"].user)
        )

    def get_url(self, context):
        return reverse("push_alert_send", args=(context["page"].pk,))


@hooks.register("register_page_action_menu_item")
def register_alert_menu_item():
    return AlertMenuItem()


def _alert_button(page, user, priority):
    if not _may_alert(page, user):
        return []
    return [
        Button(
            "Gửi tin nóng",
            reverse("push_alert_send", args=(page.pk,)),
            icon_name="warning",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def alert_header_button(page, user, view_name=None, next_url=None):
    return _alert_button(page, user, priority=56)


@hooks.register("register_page_listing_more_buttons")
def alert_listing_button(page, user, next_url=None):
    return _alert_button(page, user, priority=56)


@hooks.register("register_admin_urls")
def register_alert_urls():
    from . import admin_views

    return [
        path("tin-nong/", admin_views.alert_list, name="push_alert_list"),
        path("tin-nong/<int:pk>/", admin_views.alert_detail, name="push_alert_detail"),
        path("tin-nong/gui/<int:page_id>/", admin_views.alert_send, name="push_alert_send"),
    ]


class AlertsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("push.view_alert")


@hooks.register("register_admin_menu_item")
def register_alerts_menu():
    return AlertsMenuItem("Tin nóng", reverse("push_alert_list"), icon_name="warning", order=425)
