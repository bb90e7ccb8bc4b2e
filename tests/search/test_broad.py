"""Broad queries on PostgreSQL (docs/search.md, "Broad queries"): a query matching more
stories than the rank window is ranked, paged and faceted over its newest matches, and the
page says so. The window is made small (SEARCH_RANK_WINDOW) so the demo newsroom has broad
queries; on SQLite every match is counted and ranked, which is checked too."""

import pytest
from django.db import connection

from search.models import StoryIndex
from search.selectors import story_search

pytestmark = pytest.mark.django_db

BROAD = "xa"  # "xã", "xa": in nearly every demo story
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the window is PostgreSQL's (SQLite counts all)"
)


@pytest.fixture
def small_window(settings):
    settings.SEARCH_RANK_WINDOW = 3
    settings.SEARCH_SCOPE_SIZE_SECONDS = 0  # counted now, whatever other tests left
    return 3


def _newest_matches(settings, query):
    """Every match, newest first, as the exact path (the default window) lists them."""
    window = settings.SEARCH_RANK_WINDOW
    settings.SEARCH_RANK_WINDOW = 1000
    ids, page, result = [], 0, None
    while result is None or result.has_next:
        page += 1
        result = story_search(query=query, sort="newest", per_page=50, page=page)
        assert not result.approximate
        ids += [h.page_id for h in result.hits]
    settings.SEARCH_RANK_WINDOW = window
    assert len(ids) == result.total
    return ids, result.total


@postgres_only
def test_a_broad_query_is_ranked_over_its_newest_matches(indexed, settings, small_window):
    newest, exact_total = _newest_matches(settings, BROAD)
    result = story_search(query=BROAD, per_page=2)
    assert result.approximate and result.rank_window == result.pageable >= small_window
    window = set(newest[: result.pageable])
    assert {h.page_id for h in result.hits} <= window
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    # The best of the window, by the one scoring rule, comes first.
    ranked = story_search(query=BROAD, per_page=result.pageable)
    assert [h.page_id for h in ranked.hits][:2] == [h.page_id for h in result.hits]
    assert {h.page_id for h in ranked.hits} == window
    # The facets count the window's stories; the total is an estimate of every match.
    assert sum(v.count for v in result.facets["outlet"]) == result.pageable
    assert sum(v.count for v in result.facets["year"]) == result.pageable
    assert result.total >= result.pageable and abs(result.total - exact_total) <= exact_total
    # Paging stops at the window, with the usual message past it.
    assert result.num_pages == -(-result.pageable // 2)
    past = story_search(query=BROAD, per_page=2, page=result.num_pages + 1)
    assert past.hits == [] and any("Không có trang" in m for m in past.messages)


@postgres_only
def test_newest_first_over_the_window_is_the_newest_matches(indexed, settings, small_window):
    newest, _ = _newest_matches(settings, BROAD)
    result = story_search(query=BROAD, sort="newest", per_page=3)
    assert result.approximate
    assert [h.page_id for h in result.hits] == newest[:3]


@postgres_only
def test_the_reader_page_and_api_say_the_counts_are_approximate(client, indexed, small_window):
    page = client.get("/tim-kiem/", {"q": BROAD, "pham_vi": "tat-ca"}, HTTP_HOST="localhost")
    html = page.content.decode()
    assert "Khoảng " in html and "kết quả" in html
    assert "Xếp theo mức độ liên quan trong" in html and "bài mới nhất có từ khóa" in html
    assert "(trong " in html  # the facets' heading
    data = client.get("/api/search/", {"q": BROAD, "pham_vi": "tat-ca"}, HTTP_HOST="localhost")
    data = data.json()
    assert data["approximate"] is True and data["ranked_among"] >= small_window


def test_a_narrow_query_is_counted_exactly(client, indexed, small_window):
    # Rare words: every match counted and ranked, whatever the window (both databases).
    result = story_search(query="lam kinh")
    assert not result.approximate and result.rank_window is None
    data = client.get("/api/search/", {"q": "lam kinh"}, HTTP_HOST="localhost").json()
    assert data["approximate"] is False and data["ranked_among"] is None


def test_the_index_row_holds_its_tag_slugs(indexed):
    rows = StoryIndex.objects.prefetch_related("tag_rows")
    assert any(row.tag_slugs for row in rows)
    for row in rows:
        assert sorted(row.tag_slugs.split()) == sorted(t.slug for t in row.tag_rows.all())
