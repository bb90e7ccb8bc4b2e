from django.urls import path

from . import views

app_name = "offline"
urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("ung-dung/bieu-tuong-<int:size>.png", views.icon, name="icon"),
    path(
        "ung-dung/bieu-tuong-<int:size>-maskable.png",
        views.icon,
        {"maskable": True},
        name="icon_maskable",
    ),
    path("ngoai-tuyen/", views.offline_page, name="page"),
    path("ngoai-tuyen/danh-sach/", views.offline_list, name="list"),
]
