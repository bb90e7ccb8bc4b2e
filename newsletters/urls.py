from django.urls import path, re_path

from . import views

app_name = "newsletters"
urlpatterns = [
    path("ban-tin/", views.signup, name="signup"),
    path("ban-tin/tai-khoan/", views.account_lists, name="account"),
    path("ban-tin/xac-nhan/<str:token>/", views.confirm_view, name="confirm"),
    path("ban-tin/huy/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    re_path(r"^ban-tin/mo/(?P<token>[^/]+)\.gif$", views.open_pixel, name="open"),
    path("ban-tin/doc/<str:token>/", views.click, name="click"),
]
