from django.urls import path

from .views import public

app_name = "newsroom"
urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
]
