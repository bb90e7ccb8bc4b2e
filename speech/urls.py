from django.urls import path

from . import views

app_name = "speech"
urlpatterns = [
    path("nghe-bai-viet/<str:token>/<path:name>", views.listen_file, name="file"),
]
