"""Search backends, chosen by `settings.SEARCH_BACKEND`: "database" (the embedded default:
PostgreSQL full text, or folded text on SQLite) or "elasticsearch"."""

from django.conf import settings


def get_backend():
    name = getattr(settings, "SEARCH_BACKEND", "database")
    if name == "elasticsearch":
        from .elastic import ElasticsearchBackend

        return ElasticsearchBackend()
    from .database import DatabaseBackend

    return DatabaseBackend()
