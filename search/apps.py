from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _vi_words(text):
    from .folding import fold, search_text

    return fold(search_text(text or ""))


def _sqlite_functions(sender, connection, **kwargs):
    """SQLite has no Vietnamese folding: give it ours, so ranking can compare the folded
    words of a headline in SQL (`vi_words(headline)` → " thanh hoa … ")."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("vi_words", 1, _vi_words, deterministic=True)


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Tìm kiếm"

    def ready(self):
        from . import signals

        signals.connect()
        connection_created.connect(_sqlite_functions, dispatch_uid="search_sqlite_functions")
