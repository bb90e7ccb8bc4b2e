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
