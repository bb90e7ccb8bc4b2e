from django.urls import path

from .views import admin as views

app_name = "analytics_admin"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cua-toi/", views.mine, name="mine"),
    path("chi-tieu/", views.indicators, name="indicators"),
    path("chi-tieu/xuat/<str:fmt>/", views.export, name="export"),
    path("chi-tieu/gui-so/", views.submit_report, name="submit_report"),
    path("dai-ip/", views.ip_ranges, name="ip_ranges"),
    path("so/", views.portal, name="portal"),
    path("so/huong-dan/", views.guidance_send, name="guidance_send"),
    path("so/bao-cao/<int:pk>/", views.report_review, name="report_review"),
    path("bao-cao/<int:pk>/tai/", views.report_download, name="report_download"),
    path("huong-dan/", views.guidance_list, name="guidance_list"),
    path("huong-dan/<int:pk>/", views.guidance_detail, name="guidance_detail"),
]
