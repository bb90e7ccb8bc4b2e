from django.apps import AppConfig


class SpeechConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "speech"
    verbose_name = "Nghe bài viết"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from newsroom.models import StoryPage

        from . import signals

        page_published.connect(
            signals.on_story_published, sender=StoryPage, dispatch_uid="speech_published"
        )
        page_unpublished.connect(
            signals.on_story_unpublished, sender=StoryPage, dispatch_uid="speech_unpublished"
        )
        post_delete.connect(
            signals.on_audio_deleted, sender="speech.StoryAudio", dispatch_uid="speech_deleted"
        )
        # The story page reads the ready audio through the fragment cache: a made, retired
        # or deleted audio retires it (newsroom/fragments.py).
        post_save.connect(
            signals.audio_changed, sender="speech.StoryAudio", dispatch_uid="speech_fragments"
        )
        post_delete.connect(
            signals.audio_changed, sender="speech.StoryAudio", dispatch_uid="speech_fragments_d"
        )
