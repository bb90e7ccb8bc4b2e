from django.urls import path

from . import views


def _patterns(flavour, prefix):
    return [
        path(f"{prefix}", views.verify, {"flavour": flavour}, name="verify"),
        path(f"{prefix}dang-ky/", views.enrol, {"flavour": flavour}, name="enrol"),
        path(f"{prefix}quan-ly/", views.manage, {"flavour": flavour}, name="manage"),
    ]


# Included by config/urls.py as namespaces "twofactor_admin" (/admin/xac-thuc/...) and
# "twofactor_reader" (/tai-khoan/xac-thuc/...).
admin_urls = (_patterns("admin", "admin/xac-thuc/"), "twofactor_admin")
reader_urls = (_patterns("reader", "tai-khoan/xac-thuc/"), "twofactor_reader")
