"""Fixtures of the newsroom tests: the demo staff and sections."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.newsroom.helpers import section_of


@pytest.fixture
def staff(demo):
    """staff("phongvien.baothanhhoa") → the demo user."""
    users = get_user_model().objects

    def get(username):
        return users.get(username=username)

    return get


@pytest.fixture
def login(staff):
    """login("bientap.baothanhhoa") → a Django test client logged in as that demo user."""

    def make(username):
        client = Client()
        client.force_login(staff(username))
        return client

    return make


@pytest.fixture
def section(demo):
    return section_of("baothanhhoa", "thoi-su")
