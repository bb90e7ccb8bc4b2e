from django.urls import path

from . import admin_views

app_name = "speech_admin"
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("<int:story_id>/lam-lai/", admin_views.redo, name="redo"),
]
