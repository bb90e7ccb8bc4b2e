"""Each request the audit or the fuzz run found ending in a 500, now a 400 (APIs) or a
Vietnamese note (reader pages)."""

import pytest

from distribution.demo import DEMO_PARTNER_KEY

pytestmark = pytest.mark.django_db
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {DEMO_PARTNER_KEY}"}
TWENTY_DIGITS = "9" * 20


@pytest.mark.parametrize(
    "params, note",
    [
        ({"q": "bão", "from": "0001-01-01"}, "năm trong khoảng 1900–2100"),
        ({"q": "bão", "to": "0001-01-01"}, "năm trong khoảng 1900–2100"),
        ({"q": "bão", "to": "9999-12-31"}, "năm trong khoảng 1900–2100"),
        ({"q": "bão", "from": "9999-12-31"}, "năm trong khoảng 1900–2100"),
        ({"q": "bão", "year": "²"}, "Năm không hợp lệ"),
        ({"q": "bão", "year": "١٩٩٠"}, "Năm không hợp lệ"),
    ],
)
def test_search_out_of_range_dates_are_ignored_with_a_note(client, demo, params, note):
    api = client.get("/api/search/", params, HTTP_HOST="localhost")
    assert api.status_code == 200
    assert any(note in m for m in api.json()["messages"])
    page = client.get("/tim-kiem/", params, HTTP_HOST="localhost")
    assert page.status_code == 200
    assert note in page.content.decode()


def test_wagtail_api_refuses_a_twenty_digit_offset(client, demo):
    response = client.get("/api/v2/pages/", {"offset": TWENTY_DIGITS}, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert response.json() == {"message": "offset cannot be higher than 1000000"}
    # A large offset within the bound is still a normal, empty page.
    ok = client.get("/api/v2/pages/", {"offset": "1000000"}, HTTP_HOST="localhost")
    assert ok.status_code == 200 and ok.json()["items"] == []


def test_sharing_api_refuses_a_twenty_digit_page(client, demo):
    response = client.get("/api/ninjs/v2/items/", {"page": TWENTY_DIGITS}, **AUTH)
    assert response.status_code == 400
    assert "'page' ≤ 100000" in response.json()["error"]
    ok = client.get("/api/ninjs/v2/items/", {"page": "100000"}, **AUTH)
    assert ok.status_code == 200 and ok.json()["items"] == []


@pytest.mark.parametrize(
    "url",
    ["/api/v2/pages/?locale=%00", "/api/v2/pages/find/?html_path=a%00b", "/api/search/?q=%00"],
)
def test_nul_in_an_api_query_is_a_400_in_english(client, demo, url):
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert response.json() == {"error": "query parameters must not contain NUL characters"}


@pytest.mark.parametrize("url", ["/tim-kiem/?q=a%00", "/?x%00=1", "/goi-cuoc/?next=%00"])
def test_nul_in_a_reader_page_query_is_a_400_in_vietnamese(client, demo, url):
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("value", ["9" * 20, "²", "hôm qua"])
@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v2/pages/{pk}/"])
def test_wagtail_api_refuses_a_bad_date_time_filter(client, demo, url, value):
    from newsroom.models import StoryPage

    story = StoryPage.objects.live().first()
    response = client.get(
        url.format(pk=story.pk), {"first_published_at": value}, HTTP_HOST="localhost"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("field filter error.")


@pytest.mark.parametrize("value", ["²", "0001-01-01", "1.0"])
def test_wagtail_api_find_refuses_an_id_that_is_not_a_number(client, demo, value):
    response = client.get("/api/v2/pages/find/", {"id": value}, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert response.json() == {"message": "id must be a whole number"}


@pytest.mark.parametrize(
    "since, status",
    [
        ("0001-01-01", 400),
        ("0001-01-01T00:00:00", 400),
        ("0001-01-01T00:00:00+14:00", 400),
        ("9999-12-31T23:59:59-14:00", 400),
        ("9999-12-31T23:59:59", 200),  # Vietnam is ahead of UTC: still in range
        ("0001-01-01T12:00:00Z", 200),
    ],
)
def test_sharing_api_since_out_of_range_in_utc_is_a_400(client, demo, since, status):
    # Was a 500 on SQLite (make run), where the value is stored in UTC: year 0 or 10000.
    response = client.get("/api/ninjs/v2/items/", {"since": since, "page_size": "1"}, **AUTH)
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"error": "'since' is out of range once converted to UTC"}


def test_wagtail_api_refuses_a_date_time_filter_out_of_range_in_utc(client, demo):
    # Was a 500 on SQLite (make run), where the value is stored in UTC: year 0.
    response = client.get(
        "/api/v2/pages/", {"first_published_at": "0001-01-01"}, HTTP_HOST="localhost"
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "field filter error. first_published_at is out of range once converted to UTC"
    }
