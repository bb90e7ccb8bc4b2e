from django.urls import include, path

from .views import public

app_name = "newsroom"
urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
    path("", include("newsroom.broadcast_urls")),
]
