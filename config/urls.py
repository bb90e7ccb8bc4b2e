import re

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.views import security_txt
from paywall.api import api_router
from twofactor import urls as twofactor_urls

urlpatterns = [
    # The second step of staff login (/admin/xac-thuc/) and of readers who opted in.
    path("", include(twofactor_urls.admin_urls)),
    path("", include(twofactor_urls.reader_urls)),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Each app owns its addresses; they come before Wagtail's page catch-all.
    path("", include("newsroom.urls")),
    path("", include("speech.urls")),
    path("", include("paywall.urls")),
    # Wagtail API v2; the paywall gates story bodies to the teaser there.
    path("api/v2/", api_router.urls),
    path("", include("distribution.urls")),
    path("", include("search.urls")),
    path("", include("analytics.urls")),
    path("", include("newsletters.urls")),
    path("", include("push.urls")),
    # /sw.js, the manifest and /ngoai-tuyen/ (docs/offline.md).
    path("", include("offline.urls")),
    path("", include("transcripts.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # MEDIA_URL in development (404 unless DEBUG) and on object storage (a presigned
    # redirect), refusing the files of cuts of paid stories: those go only through signed
    # links (newsroom/media/files.py).
    from newsroom.media.files import media_raw

    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL[1:])}(?P<path>.+)$", media_raw)]

urlpatterns += [path("", include(wagtail_urls))]
