"""Root fixtures. The suite runs on PostgreSQL and Redis when DATABASE_URL and REDIS_URL
are set (CI); on SQLite and local memory otherwise."""

import pytest

from tests.support import (
    demo_snapshot_drop,
    demo_snapshot_take,
    ensure_demo,
    restore_migration_rows,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo newsroom, loaded once per test database (most tests read it), and kept as
    a snapshot that brings it back after a transactional test's flush."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        from wagtail.models import Page

        if Page.get_first_root_node() is None:  # --reuse-db after a transactional test
            restore_migration_rows()
        call_command("load_initial_data", verbosity=0)
        demo_snapshot_take()
    yield
    with django_db_blocker.unblock():
        demo_snapshot_drop()


@pytest.fixture
def demo(db):
    """Makes sure the demo newsroom is there (a transactional test before may have flushed
    it) and returns its loader module."""
    return ensure_demo()


@pytest.fixture
def demo_password():
    from newsroom.demo.loader import DEMO_PASSWORD

    return DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _fresh_fragment_generation():
    """Each test starts on a generation of cached page fragments never used before
    (newsroom/fragments.py): a fragment rendered from an earlier test's rolled-back
    content is never found."""
    from newsroom.fragments import start_new_generation

    start_new_generation()


@pytest.fixture(autouse=True)
def _fresh_signup_rate():
    """The newsletter sign-up limit counts per address and hour in the (per-process)
    cache: every test's sign-ups come from 127.0.0.1, so without this a process that ran
    ten sign-ups in earlier tests would see the next one refused."""
    from django.core.cache import cache

    from newsletters.views import signup_rate_key

    cache.delete_many([signup_rate_key(ip) for ip in ("127.0.0.1", "::1")])


def pytest_sessionfinish(session):
    """The browser tests' shared Chromium (tests/browser.py) ends with the session."""
    from tests.browser import close_shared_browser

    close_shared_browser()
