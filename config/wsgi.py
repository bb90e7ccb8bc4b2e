import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Anonymous beacon posts (POST /a/collect) skip the middleware stack: analytics/fastpath.py.
from analytics.fastpath import with_beacon_fast_path  # noqa: E402

application = with_beacon_fast_path(application)
