from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Tòa soạn"

    def ready(self):
        from . import (
            fragments,
            media_tasks,  # noqa: F401  (Celery finds only tasks.py by itself)
            page_refresh,
            signals,  # noqa: F401
            wagtail_hooks_media,  # noqa: F401  (staff media: choosers, upload, sharing)
        )
        from .media import signals as media_signals  # noqa: F401

        fragments.connect()
        page_refresh.connect()
