"""`make run` has no beat process and no worker: `manage.py rundev` runs Celery's own
scheduler over CELERY_BEAT_SCHEDULE in a thread, so a delivery's retry fires there too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from distribution.models import Delivery, DeliveryState
from newsroom.management.commands.rundev import DevBeat

pytestmark = pytest.mark.django_db


def test_dev_beat_runs_the_whole_schedule_and_a_due_retry_is_delivered(
    fast, push_fake, push_platform, free_story, publish, django_capture_on_commit_callbacks
):
    push_fake.statuses = [503]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=push_platform)
    assert delivery.state == DeliveryState.RETRYING
    # The retry's time has come (the Celery countdown message is gone with eager mode).
    Delivery.objects.filter(pk=delivery.pk).update(next_try_at=timezone.now())
    beat = DevBeat()
    entries = beat.scheduler.schedule
    assert {"distribution-sweep", "publish-scheduled", "analytics-flush"} <= set(entries)
    # An unknown task would go to the broker unseen (send_task) instead of running here.
    assert [e.task for e in entries.values() if e.task not in beat.scheduler.app.tasks] == []
    for entry in beat.scheduler.schedule.values():
        entry.last_run_at = timezone.now() - timedelta(days=2)  # every entry is due
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):
            if beat.tick() > 0:  # 0 means another entry is due straight away
                break
    assert all(e.total_run_count == 1 for e in beat.scheduler.schedule.values())
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert len(push_fake.received) == 1
