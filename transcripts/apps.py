from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transcripts"
    verbose_name = "Bản ghi lời"

    def ready(self):
        from newsroom.events import media_ready

        from . import signals

        media_ready.connect(signals.cut_ready, dispatch_uid="transcripts_cut_ready")
