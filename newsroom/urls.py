from django.urls import include, path

from .media import files
from .views import public

app_name = "newsroom"
urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
    # A cut of a paid story: signed, per reader and story (newsroom/media/access.py).
    path("tep-media/<str:token>/<path:name>", files.media_file, name="media_file"),
    path("_media-gate/", files.media_gate, name="media_gate"),
    path("", include("newsroom.broadcast_urls")),
]
