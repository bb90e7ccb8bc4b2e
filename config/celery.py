import os

from celery import Celery

# A worker or beat is a production process (`make run` runs tasks in its own process):
# like wsgi.py, production unless told otherwise, so it refuses the repository's keys.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("hoitu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
