"""The ASGI application: the beacon server (deploy/systemd/hoitu-beacon.service, granian)
serves it; nginx sends it POST /a/collect only (deploy/nginx/hoitu.conf)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

# Anonymous beacon posts (POST /a/collect) are answered on the event loop: analytics/asgi.py.
from analytics.asgi import with_beacon_fast_path  # noqa: E402

application = with_beacon_fast_path(application)
