from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from . import podcasts
from .views import api, feeds

app_name = "distribution"
urlpatterns = [
    # Feeds, per outlet (the Site is found from the request's host).
    path("rss/", feeds.site_rss, name="rss"),
    path("atom/", feeds.site_atom, name="atom"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("sitemap-news.xml", feeds.news_sitemap, name="news_sitemap"),
    path("podcast/<slug:slug>.xml", podcasts.programme_podcast, name="podcast"),
    # Press data sharing for partner agencies (Bearer key).
    path("api/ninjs/v2/items/", api.ninjs_list, name="ninjs_list"),
    path("api/ninjs/v2/items/<int:pk>/", api.ninjs_detail, name="ninjs_detail"),
    path("api/newsml/<int:pk>.xml", api.newsml_detail, name="newsml_detail"),
    # Last: a section slug followed by rss/.
    path("<slug:section_slug>/rss/", feeds.section_rss, name="section_rss"),
]
