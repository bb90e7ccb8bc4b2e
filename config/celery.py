import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from config.logging import bind_task, unbind_task

# A worker or beat is a production process (`make run` runs tasks in its own process):
# like wsgi.py, production unless told otherwise, so it refuses the repository's keys.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("hoitu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every log line of a task carries its task id (config/logging.py).
task_prerun.connect(bind_task, weak=False)
task_postrun.connect(unbind_task, weak=False)
