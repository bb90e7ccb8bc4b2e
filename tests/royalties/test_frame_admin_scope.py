"""The frame's screens take records for the user's own agency only: the viewsets'
AgencyScopedForm is really the form the views build (Wagtail's SnippetViewSet ignored a
`base_form_class` attribute, so the station could add genres to the newspaper's frame)."""

import pytest
from django.contrib.auth import get_user_model

from newsroom.models import Agency
from royalties.models import Extra, Genre

pytestmark = pytest.mark.django_db


def test_a_genre_or_extra_goes_only_into_the_users_own_frame(client, demo):
    newspaper = Agency.objects.get(name="Báo Thanh Hóa")
    station = Agency.objects.get(name="Đài Phát thanh và Truyền hình Thanh Hóa")
    client.force_login(get_user_model().objects.get(username="tongbientap.ptth"))
    genre = {
        "medium": "press",
        "name": "Tin ngắn lạ",
        "min_coefficient": "1",
        "max_coefficient": "2",
        "sort_order": "9",
        "active": "on",
    }
    extra = {"name": "Vùng lũ lạ", "percent": "30", "active": "on"}
    for url, data, model in (
        ("/admin/snippets/royalties/genre/add/", genre, Genre),
        ("/admin/snippets/royalties/extra/add/", extra, Extra),
    ):
        html = client.post(url, {**data, "agency": newspaper.pk}).content.decode()
        assert "Cơ quan không hợp lệ hoặc không thuộc quyền của bạn." in html, url
        assert not model.objects.filter(name=data["name"]).exists()
        assert client.post(url, {**data, "agency": station.pk}).status_code == 302, url
        assert model.objects.get(name=data["name"]).agency == station
