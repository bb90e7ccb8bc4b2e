from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.views import security_txt
from paywall.api import api_router

urlpatterns = [
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Each app owns its addresses; they come before Wagtail's page catch-all.
    path("", include("newsroom.urls")),
    path("", include("paywall.urls")),
    # Wagtail API v2; the paywall gates story bodies to the teaser there.
    path("api/v2/", api_router.urls),
    path("", include("distribution.urls")),
    path("", include("search.urls")),
    path("", include("analytics.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
