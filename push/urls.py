from django.urls import path

from . import views

app_name = "push"
urlpatterns = [
    path("tin-nong/dang-ky/", views.subscribe, name="subscribe"),
    path("tin-nong/huy/", views.unsubscribe, name="unsubscribe"),
    path("tin-nong/nhan/<str:token>/", views.receipt, name="receipt"),
    path("tin-nong/mo/<str:token>/", views.click, name="click"),
]
