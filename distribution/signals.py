"""Follows publishing through Wagtail's page_published / page_unpublished signals."""

from functools import partial

from django.conf import settings
from django.db import transaction

from .models import DeliveryAction


def on_story_published(sender, instance, revision=None, **kwargs):
    from outbox.services import enqueue

    from .services import story_deliveries_create
    from .tasks import websub_ping

    # Rows are written in the publishing transaction, so a lost broker message never loses
    # a delivery: the sweeper finds the row.
    story_deliveries_create(
        story_id=instance.pk,
        action=DeliveryAction.PUBLISH,
        revision_id=getattr(revision, "pk", None),
        user=getattr(revision, "user", None),
    )
    if settings.DISTRIBUTION_WEBSUB_HUB:
        enqueue(websub_ping, instance.pk)  # with the publish: kept if the broker is away


def on_story_unpublished(sender, instance, **kwargs):
    from .services import story_deliveries_create

    # After commit: Wagtail also sends page_unpublished just before deleting a live page,
    # and new rows pointing at a page being deleted would break that delete.
    transaction.on_commit(
        partial(story_deliveries_create, story_id=instance.pk, action=DeliveryAction.REMOVE)
    )
