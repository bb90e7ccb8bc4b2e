import pytest
from django.urls import reverse

from newsroom.models import Outlet, StoryPage

pytestmark = pytest.mark.django_db

TARGET = "Thanh Hóa đẩy mạnh chuyển đổi số trong cơ quan báo chí"


def test_reader_page_finds_story_with_facets_and_scope(client, indexed):
    response = client.get("/tim-kiem/", {"q": "thanh hoa chuyen doi so"}, HTTP_HOST="localhost")
    assert response.status_code == 200
    html = response.content.decode()
    story = StoryPage.objects.get(title=TARGET)
    assert f'href="{story.get_url_parts()[2]}"' in html
    assert "<mark>chuyển</mark>" in html
    assert "Ấn phẩm" in html and "Năm" in html and "Chủ đề" in html
    assert "pham_vi=tat-ca" in html  # the "all outlets" option


def test_reader_page_scope_is_the_current_outlet_by_default(client, indexed):
    vannghe = Outlet.objects.get(site__hostname="vannghe.localhost")
    host = {"HTTP_HOST": "vannghe.localhost"}
    scoped = client.get("/api/search/", {"q": "xu thanh"}, **host).json()
    assert scoped["total"] > 0
    assert {h["outlet"] for h in scoped["hits"]} == {vannghe.name}
    everywhere = client.get("/api/search/", {"q": "xu thanh", "pham_vi": "tat-ca"}, **host).json()
    assert everywhere["total"] > scoped["total"]
    # Hits on another outlet link to that outlet's address.
    other = next(h for h in everywhere["hits"] if h["outlet"] != vannghe.name)
    assert other["url"].startswith("http://")


def test_facet_link_filters(client, indexed):
    data = client.get(
        "/api/search/", {"q": "chuyen doi so", "pham_vi": "tat-ca"}, HTTP_HOST="localhost"
    ).json()
    year = data["facets"]["year"][0]
    page = client.get(
        "/tim-kiem/",
        {"q": "chuyen doi so", "pham_vi": "tat-ca", "year": year["value"]},
        HTTP_HOST="localhost",
    )
    assert page.status_code == 200
    assert f"{year['count']} kết quả" in page.content.decode()


def test_api_matches_reader_results(client, indexed):
    data = client.get("/api/search/", {"q": "bão"}, HTTP_HOST="localhost").json()
    assert data["total"] > 0 and data["hits"][0]["headline_html"].count("<mark>") >= 1
    assert "Bão" in data["hits"][0]["headline_html"]
    assert set(data["facets"]) == {"outlet", "section", "format", "year", "tag", "place"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 10_000},
        {"q": "bão' OR '1'='1"},
        {"q": "'; DROP TABLE search_storyindex; --"},
        {"q": 'title:* OR *:* AND "unclosed ( [ { ~ ^ \\'},
        {"q": "<script>alert(1)</script>"},
        {"q": "bão", "year": "abc", "outlet": "-1", "tag": "<b>", "place": "x" * 50},
        {"q": "bão", "from": "2025-13-45", "to": "yesterday"},
        {"q": "bão", "page": "10000"},
        {"q": "bão", "page": "-5", "per_page": "1000000"},
        {"q": "bão", "page": "9" * 30},
        {"q": "bão", "sort": "pg_sleep(10)"},
    ],
)
@pytest.mark.parametrize("url", ["/tim-kiem/", "/api/search/"])
def test_bad_input_never_500(client, indexed, url, params):
    response = client.get(url, params, HTTP_HOST="localhost")
    assert response.status_code == 200
    if url == "/tim-kiem/":
        assert "<script>alert(1)</script>" not in response.content.decode()
    else:  # JSON carries the query as plain text; the type says so (and nosniff)
        assert response["Content-Type"] == "application/json"
    if url.startswith("/api/"):
        data = response.json()
        assert data["total"] >= 0
        if params.get("q", "").startswith("x" * 300):
            assert any("quá dài" in m for m in data["messages"])
        if params.get("page") == "10000":
            assert data["hits"] == [] and data["messages"]


def test_header_has_a_search_box(client, indexed):
    html = client.get("/", HTTP_HOST="localhost").content.decode()
    assert 'action="/tim-kiem/"' in html


def test_staff_search_is_scoped_to_the_agency(client, indexed, django_user_model):
    client.force_login(django_user_model.objects.get(username="tongbientap.vannghe"))
    url = reverse("search_staff")
    response = client.get(url, {"q": "thanh hoa chuyen doi so"})
    assert response.status_code == 200
    assert TARGET not in response.content.decode()  # Báo Thanh Hóa's story
    response = client.get(url, {"q": "di san"})
    html = response.content.decode()
    assert "Tạp chí Văn nghệ Xứ Thanh" in html and "<mark>" in html
    client.logout()
    client.force_login(django_user_model.objects.get(username="quantri"))
    html = client.get(url, {"q": "thanh hoa chuyen doi so"}).content.decode()
    assert "<mark>Thanh</mark> <mark>Hóa</mark> đẩy mạnh" in html
    story = StoryPage.objects.get(title=TARGET)
    assert reverse("wagtailadmin_pages:edit", args=[story.pk]) in html


def test_staff_search_needs_a_login(client, indexed):
    response = client.get(reverse("search_staff"), {"q": "bão"})
    assert response.status_code == 302


def test_an_empty_outlet_search_is_widened_with_a_note(client, indexed):
    # The storm story is on Báo Thanh Hóa; a reader of Văn nghệ finds it, and is told.
    data = client.get("/api/search/", {"q": "bao so 3"}, HTTP_HOST="vannghe.localhost").json()
    assert data["widened"] and not data["corrected"] and data["total"] >= 1
    assert data["hits"][0]["url"].startswith("http://")
    assert data["notes"][-1].endswith("đang hiển thị kết quả trên tất cả ấn phẩm.")
    page = client.get("/tim-kiem/", {"q": "bao so 3"}, HTTP_HOST="vannghe.localhost")
    assert "trên tất cả ấn phẩm" in page.content.decode()
    exact = client.get(
        "/api/search/", {"q": "bao so 3", "chinh_xac": "1"}, HTTP_HOST="vannghe.localhost"
    ).json()
    assert exact["total"] == 0 and not exact["widened"]


def test_extra_words_give_a_relaxed_search_labelled_as_such(client, indexed):
    data = client.get(
        "/api/search/",
        {"q": "le hoi lam kinh nam 2025", "pham_vi": "tat-ca"},
        HTTP_HOST="localhost",
    ).json()
    assert (
        data["relaxed"] and "<mark>Lam</mark> <mark>Kinh</mark>" in data["hits"][0]["headline_html"]
    )
    assert data["notes"] == [
        "Không có bài nào chứa đủ mọi từ: đang hiển thị các bài chứa nhiều từ nhất trong "
        "“le hoi lam kinh nam 2025”."
    ]
