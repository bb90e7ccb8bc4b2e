"""The admin's page search (the header search box) reads in Vietnamese: Wagtail ships no
Vietnamese for its result count and type filter (locale/vi supplies them)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_page_search_results_read_in_vietnamese(client, demo):
    client.force_login(get_user_model().objects.get(username="tongbientap.baothanhhoa"))
    html = client.get("/admin/pages/search/?q=Thanh", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "trang phù hợp" in html and "Loại trang" in html
    assert "matching page" not in html and "Page types" not in html
