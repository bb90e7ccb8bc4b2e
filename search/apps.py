from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_functions(sender, connection, **kwargs):
    """SQLite has no Vietnamese folding: give it ours, so ranking can compare folded
    headlines in SQL (`vi_fold(headline)`)."""
    if connection.vendor == "sqlite":
        from .folding import fold

        connection.connection.create_function("vi_fold", 1, fold, deterministic=True)


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Tìm kiếm"

    def ready(self):
        from . import signals

        signals.connect()
        connection_created.connect(_sqlite_functions, dispatch_uid="search_sqlite_functions")
