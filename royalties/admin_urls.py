from django.urls import path

from .views import admin as views

app_name = "royalties_admin"
urlpatterns = [
    path("", views.index, name="index"),
    path("thang/", views.month, name="month"),
    path("thang/cham/", views.propose, name="propose"),
    path("thang/<int:pk>/khoa/", views.lock, name="lock"),
    path("thang/<int:pk>/quy/", views.fund, name="fund"),
    path("dong/<int:pk>/duyet/", views.approve, name="approve"),
    path("dong/<int:pk>/xoa/", views.withdraw, name="withdraw"),
    path("dong/<int:pk>/dieu-chinh/", views.adjust, name="adjust"),
    path("xuat/<str:fmt>/", views.export, name="export"),
    path("cua-toi/", views.mine, name="mine"),
    path("cua-toi/xuat/<str:fmt>/", views.mine_export, name="mine_export"),
]
