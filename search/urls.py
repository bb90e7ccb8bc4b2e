from django.urls import path

from .views import public

app_name = "search"
urlpatterns = [
    path("tim-kiem/", public.search_page, name="page"),
    path("api/search/", public.api_search, name="api"),
]
