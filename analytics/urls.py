from django.urls import path

from .views.collect import collect_view

app_name = "analytics"
urlpatterns = [path("a/collect", collect_view, name="collect")]
