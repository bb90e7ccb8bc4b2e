from django.urls import path

from . import podcasts

app_name = "distribution"
urlpatterns: list = [
    path("podcast/<slug:slug>.xml", podcasts.programme_podcast, name="podcast"),
]
