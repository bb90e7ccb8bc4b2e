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
        _vietnamese_name_order()


def _vietnamese_name_order():
    """A Vietnamese full name puts the family name first ("Trần Minh Anh": họ Trần, tên
    Minh Anh), where Django's User.get_full_name gives first_name + last_name ("Minh Anh
    Trần"). Staff and readers keep the family name in last_name and the given name in
    first_name, as Django's forms ask; every name shown (bylines, the admin's "by ...",
    statements, mails) goes through get_full_name, Wagtail's screens included, so the
    order is set there once. A custom user model would be the clean home for it, but
    swapping the user model of a live database is not worth this one method."""
    from django.contrib.auth import get_user_model

    def get_full_name(self):
        return f"{self.last_name} {self.first_name}".strip()

    get_full_name.__doc__ = "Họ tên: family name (last_name), then given name (first_name)."
    get_user_model().get_full_name = get_full_name
