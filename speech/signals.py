"""Publishing makes (or reuses) the story's audio; unpublishing and deleting retire it."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def on_story_published(sender, instance, revision=None, **kwargs):
    if not settings.HOITU_SPEECH_AUTO:
        return
    from .services import story_audio_request

    try:
        with transaction.atomic():  # a savepoint: the audio never blocks a publish
            story_audio_request(instance, revision=revision)
    except Exception:
        logger.exception("Listen audio of story %s could not be requested", instance.pk)


def on_story_unpublished(sender, instance, **kwargs):
    from .services import story_audio_retire

    # After commit: Wagtail sends page_unpublished just before deleting a live page too.
    transaction.on_commit(
        partial(_retire_quietly, story_audio_retire, instance.pk),
    )


def _retire_quietly(retire, story_id):
    try:
        retire(story_id, reason="Bài đã bị gỡ (ngừng đăng).")
    except Exception:
        logger.exception("Listen audio of story %s could not be retired", story_id)


def audio_changed(sender, **kwargs):
    from newsroom.fragments import bump

    bump()


def on_audio_deleted(sender, instance, **kwargs):
    from .services import delete_files_later

    delete_files_later(instance.file_names())
