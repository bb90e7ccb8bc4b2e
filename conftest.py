"""Root fixtures. The suite runs on PostgreSQL and Redis when DATABASE_URL and REDIS_URL
are set (CI); on SQLite and local memory otherwise."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo newsroom, loaded once per test database: most tests read it."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_initial_data", verbosity=0)


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


@pytest.fixture
def demo(db):
    """Makes sure the demo newsroom is there (a transactional test before may have flushed
    it) and returns its loader module."""
    from django.core.management import call_command

    from newsroom.demo import loader

    if not loader.demo_loaded():
        restore_migration_rows()
        call_command("load_initial_data", verbosity=0)
    return loader


@pytest.fixture
def demo_password():
    from newsroom.demo.loader import DEMO_PASSWORD

    return DEMO_PASSWORD
