"""Wires the media pipeline to saves and deletes of assets and renditions."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models.media import MediaAsset, MediaRendition
from . import services


@receiver(post_save, sender=MediaAsset, dispatch_uid="newsroom_media_asset_saved")
def media_asset_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures
        return
    services.media_asset_file_saved(asset=instance)


@receiver(post_delete, sender=MediaRendition, dispatch_uid="newsroom_media_rendition_deleted")
def media_rendition_deleted(sender, instance, **kwargs):
    names = list(instance.files or [instance.file.name])
    transaction.on_commit(lambda: services._delete_files(names))
