"""The project's addresses plus a stand-in for the reader site's service worker, until
helper D's /sw.js exists: like it, it imports every static path listed in
HOITU_SERVICE_WORKER_IMPORTS (push/static/push/sw-push.js among them)."""

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path

from config.urls import urlpatterns as project_urls


def test_worker(request):
    body = "".join(
        f"importScripts({static(p)!r});\n" for p in settings.HOITU_SERVICE_WORKER_IMPORTS
    )
    return HttpResponse(body, content_type="text/javascript")


urlpatterns = [path("sw-thu-nghiem.js", test_worker), *project_urls]
