"""The search API on the demo newsroom (real Vietnamese text), on whichever database the
suite runs: PostgreSQL full text, or folded text on SQLite."""

import pytest
from wagtail.models import Site

from newsroom.models import Agency, StoryPage
from search.folding import fold
from search.models import StoryIndex
from search.selectors import story_search

pytestmark = pytest.mark.django_db

TARGET = "Thanh Hóa đẩy mạnh chuyển đổi số trong cơ quan báo chí"


@pytest.mark.parametrize(
    "query",
    [
        "thanh hoa chuyen doi so",
        "THANH HOA CHUYEN DOI SO",
        "Thanh hoa chuyển đổi so",
        "Thanh Hóa chuyển đổi số",
    ],
)
def test_diacritic_free_and_mixed_queries_find_the_story(indexed, query):
    result = story_search(query=query)
    assert result.total >= 1
    assert result.hits[0].page_id == StoryPage.objects.get(title=TARGET).pk
    assert "<mark>" in result.hits[0].headline


def test_folded_query_finds_every_story_with_the_words(indexed):
    result = story_search(query="ho song ma", per_page=50)
    titles = {StoryPage.objects.get(pk=h.page_id).title for h in result.hits}
    assert "Hò sông Mã: giữ làn điệu giữa dòng đời đổi thay" in titles


def _exact(page_id, word):
    return f" {word} " in StoryIndex.objects.get(page_id=page_id).search_exact


@pytest.mark.parametrize("word", ["bão", "báo"])
def test_exact_diacritics_rank_first(indexed, word):
    result = story_search(query=word, per_page=50)
    flags = [_exact(h.page_id, word) for h in result.hits]
    # Both kinds are found (folding), and every exact match comes before every folded one.
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)
    if word == "bão":  # "báo" (newspaper) is everywhere: it must not drown "bão" (storm)
        assert _exact(result.hits[0].page_id, "bão") and "Bão" in result.hits[0].headline
        assert any(_exact(h.page_id, "báo") for h in result.hits if not _exact(h.page_id, word))


def _matching_rows(query):
    rows = StoryIndex.objects.all()
    words = [fold(w) for w in query.split()]
    return [r for r in rows if all(f" {w} " in r.search_folded for w in words)]


def test_facets_are_counted_correctly(indexed):
    query = "chuyen doi so"
    result = story_search(query=query)
    rows = _matching_rows(query)
    assert result.total == len(rows) > 3

    def counts(facet):
        return {v.value: v.count for v in result.facets[facet]}

    expected_outlets, expected_years, expected_formats = {}, {}, {}
    for r in rows:
        expected_outlets[str(r.outlet_id)] = expected_outlets.get(str(r.outlet_id), 0) + 1
        expected_years[str(r.year)] = expected_years.get(str(r.year), 0) + 1
        expected_formats[r.primary_format] = expected_formats.get(r.primary_format, 0) + 1
    assert counts("outlet") == expected_outlets
    assert counts("year") == expected_years
    assert counts("format") == expected_formats
    tag = next(v for v in result.facets["tag"] if v.value)
    assert tag.count == sum(1 for r in rows if r.tag_rows.filter(slug=tag.value).exists())
    # A facet value, used as a filter, gives as many hits as it said.
    year = result.facets["year"][0]
    filtered = story_search(query=query, filters={"year": year.value})
    assert filtered.total == year.count
    assert all(h.published_at.year in (int(year.value), int(year.value) - 1) for h in filtered.hits)
    assert {v.value for v in filtered.facets["year"]} == {year.value}


def test_a_misspelt_query_is_corrected_and_says_so(indexed):
    result = story_search(query="chuyn doi so")
    assert result.corrected and result.searched_for == "chuyen doi so"
    assert result.total == story_search(query="chuyen doi so").total >= 1
    assert result.notes == [
        "Không tìm thấy kết quả cho “chuyn doi so”: đang hiển thị kết quả cho “chuyen doi so”."
    ]
    assert result.query == "chuyn doi so"  # the search box keeps what was typed
    # Exactly what was typed: nothing, and "did you mean" offers the correction.
    exact = story_search(query="chuyn doi so", exact=True)
    assert exact.total == 0 and not exact.notes and exact.suggestion == "chuyen doi so"
    assert story_search(query="chuyen doi so").suggestion is None


def test_one_scoring_rule_headline_then_exact_diacritics(indexed):
    # "báo" typed with its diacritics: stories with "báo" come before storm stories.
    hits = story_search(query="báo", per_page=50).hits
    flags = [_exact(h.page_id, "báo") for h in hits]
    assert flags == sorted(flags, reverse=True) and flags[0]
    # "sông mã": the river in a headline first; "sống", "sóng" or "mã OTP" never before it.
    top = StoryIndex.objects.get(page_id=story_search(query="sông mã").hits[0].page_id)
    assert "sông Mã" in top.headline
    # Whole words only: "y te" is the health clinic, not words with "y" or "te" inside.
    top = story_search(query="y te").hits[0]
    assert "trạm y tế" in StoryIndex.objects.get(page_id=top.page_id).headline


def test_site_scope_and_agency_scope(indexed):
    vannghe = Site.objects.get(hostname="vannghe.localhost")
    everywhere = story_search(query="xu thanh", per_page=50)
    scoped = story_search(query="xu thanh", site=vannghe, per_page=50)
    assert 0 < scoped.total < everywhere.total
    assert {h.site_id for h in scoped.hits} == {vannghe.pk}
    agency = Agency.objects.get(slug="ptth")
    staff = story_search(query="", agency_ids=[agency.pk], per_page=50)
    assert staff.total == StoryIndex.objects.filter(agency_id=agency.pk).count() > 0
    assert {v.label for v in staff.facets["outlet"]} == {"Truyền hình Thanh Hóa"}


def test_sort_newest_and_paging(indexed):
    result = story_search(query="", sort="newest", per_page=5, page=2)
    assert len(result.hits) == 5 and result.page == 2
    dates = [h.published_at for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    first = story_search(query="", sort="newest", per_page=5, page=1)
    assert first.hits[-1].published_at >= result.hits[0].published_at


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"query": ""}, None),
        ({"query": "x" * 10_000}, "quá dài"),
        ({"query": '"bão" AND (báo OR) -- \' ; DROP TABLE search_storyindex; --'}, None),
        ({"query": "title:* OR *:*~ ^2 \\ /.*/ {!lucene}"}, None),
        ({"query": "!!! ??? ***"}, "không có chữ"),
        ({"query": "bão", "filters": {"year": "abc"}}, "Năm không hợp lệ"),
        ({"query": "bão", "filters": {"format": "podcast"}}, "Loại hình"),
        ({"query": "bão", "filters": {"outlet": "1 OR 1=1"}}, "ấn phẩm"),
        ({"query": "bão", "filters": {"from": "hôm qua"}}, "NNNN-TT-NN"),
        ({"query": "bão", "page": 10_000}, "tối đa"),
        # Past Elasticsearch's result window with a larger page, not only past page 500.
        ({"query": "bão", "page": 201, "per_page": 50}, "tối đa 200 trang"),
        ({"query": "bão", "page": "abc"}, "Số trang"),
        ({"query": "bão", "sort": "; DROP"}, "sắp xếp"),
    ],
)
def test_bad_input_gives_a_message_or_an_empty_result(indexed, kwargs, message):
    before = StoryIndex.objects.count()
    result = story_search(**kwargs)
    assert result.total >= 0
    if message:
        assert any(message in m for m in result.messages), result.messages
    assert StoryIndex.objects.count() == before


def test_unknown_filter_values_give_an_empty_result(indexed):
    assert story_search(query="bão", filters={"outlet": "999999"}).total == 0
    assert story_search(query="bão", filters={"tag": "khong-co-chu-de-nay"}).total == 0
    assert story_search(query="bão", page=400).hits == []
