"""Helpers shared by the test packages."""


def restore_migration_rows():
    """A transactional test (live_server, a real worker) ends with a flush that also
    removes the rows migrations seeded: Wagtail's locale, root page and root collection,
    and the communes of Thanh Hóa. Puts them back so the next test starts from a
    migrated database."""
    import importlib

    from django.apps import apps
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    importlib.import_module("newsroom.migrations.0002_seed_places").seed(apps, None)
