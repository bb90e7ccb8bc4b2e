"""Follow the newsroom: publishing, unpublishing, moving and deleting a story reach the
index through Celery after the newsroom's transaction commits."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from newsroom.models import StoryPage
from outbox.services import enqueue

from . import tasks


def _queue(task, page_id: int) -> None:
    # An outbox row written in the newsroom's transaction: published after commit, and
    # by beat's outbox sweep if the broker was away then.
    enqueue(task, page_id)


def on_page_changed(sender, instance, **kwargs):
    if isinstance(instance, StoryPage) or issubclass(instance.specific_class, StoryPage):
        # The task reloads the page: unpublish, expiry and moves all end in "index what
        # is live now, or drop it".
        _queue(tasks.story_index_update, instance.pk)


def on_story_deleted(sender, instance, **kwargs):
    _queue(tasks.story_index_remove, instance.pk)


def connect() -> None:
    page_published.connect(on_page_changed, dispatch_uid="search_page_published")
    page_unpublished.connect(on_page_changed, dispatch_uid="search_page_unpublished")
    post_page_move.connect(on_page_changed, dispatch_uid="search_page_moved")
    post_delete.connect(on_story_deleted, sender=StoryPage, dispatch_uid="search_story_deleted")
