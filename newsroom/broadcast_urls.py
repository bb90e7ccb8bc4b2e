from django.urls import path

from .views import broadcast

urlpatterns = [
    path("truc-tiep/", broadcast.live_index, name="live_index"),
    path("truc-tiep/<slug:slug>/", broadcast.live_channel, name="live_channel"),
    path("lich-phat-song/", broadcast.schedule, name="schedule"),
    path("xem-lai/<int:pk>/", broadcast.catch_up, name="catch_up"),
    path("chuong-trinh/<slug:slug>/", broadcast.programme, name="programme"),
]
