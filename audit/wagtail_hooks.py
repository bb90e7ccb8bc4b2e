from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [path("nhat-ky-thao-tac/", views.report, name="audit_report")]


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_audit_menu_item():
    return AdministratorMenuItem(
        "Nhật ký thao tác", reverse("audit_report"), icon_name="history", order=900
    )
