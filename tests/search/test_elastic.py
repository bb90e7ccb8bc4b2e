"""The Elasticsearch backend: the index definition and the queries as elasticsearch.dsl
builds them. Tests against a real cluster run only when ELASTICSEARCH_URL is set (CI here
has no cluster; they show as skipped with that reason)."""

import os
import uuid

import pytest

from search.backends import elastic
from search.models import StoryIndex
from search.query import clean_request

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
needs_cluster = pytest.mark.skipif(
    not ES_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against"
)


def _request(**kwargs):
    params = {"query": "", "filters": {}, "sort": "relevance", "page": 1, "per_page": 20}
    params.update(kwargs)
    return clean_request(**params)[0]


def test_index_definition_folds_vietnamese_and_keeps_the_original():
    body = elastic.story_index("hoitu-stories-test").to_dict()
    analysis = body["settings"]["analysis"]
    assert analysis["filter"]["vi_folding_filter"] == {
        "type": "asciifolding",
        "preserve_original": True,
    }
    assert analysis["analyzer"]["vi_folding"]["filter"] == ["lowercase", "vi_folding_filter"]
    assert analysis["analyzer"]["vi_folding"]["tokenizer"] == "standard"  # no ICU plugin
    props = body["mappings"]["properties"]
    for field in ("headline", "standfirst", "body", "keywords"):
        assert props[field]["analyzer"] == "vi_folding"
        assert props[field]["fields"]["exact"]["analyzer"] == "vi_exact"
    for facet in ("outlet_facet", "section_facet", "tag_facet", "place_facet", "primary_format"):
        assert props[facet]["type"] == "keyword"
    assert props["published_at"]["type"] == "date"
    assert props["suggest"]["analyzer"] == "vi_suggest"
    assert analysis["filter"]["vi_shingle"]["type"] == "shingle"


def _match(body):
    """The filter deciding which stories match: one multi_match per word."""
    match = body["query"]["bool"]["filter"][0]["bool"]
    return match["minimum_should_match"], [m["multi_match"] for m in match["should"]]


def test_query_matches_folded_and_scores_by_the_one_rule():
    body = elastic.build_search(_request(query="hoà số 3")).to_dict()
    need, words = _match(body)
    assert need == 3 and [w["query"] for w in words] == ["hoà", "số", "3"]
    assert words[0]["fields"] == ["headline", "standfirst", "keywords", "body"]
    should = body["query"]["bool"]["should"]
    # Per word, the best field: headline 3, standfirst and tags 2, body 1 (constant scores).
    fields = should[0]["dis_max"]["queries"]
    assert [
        (q["constant_score"]["filter"]["match"], q["constant_score"]["boost"]) for q in fields
    ] == [
        ({"headline": "hoà"}, 3),
        ({"standfirst": "hoà"}, 2),
        ({"keywords": "hoà"}, 2),
        ({"body": "hoà"}, 1),
    ]
    # Exact diacritics, either tone placement: "hoà" and "hòa"; "3" has no diacritics.
    exact = [
        q["constant_score"]
        for q in should
        if "constant_score" in q and q["constant_score"]["boost"] == 5
    ]
    assert len(exact) == 2
    variants = [m["multi_match"]["query"] for m in exact[0]["filter"]["bool"]["should"]]
    assert variants == ["hoà", "hòa"]
    assert "headline.exact" in exact[0]["filter"]["bool"]["should"][0]["multi_match"]["fields"]
    phrase = should[-1]["constant_score"]
    assert phrase["boost"] == 6 and phrase["filter"]["multi_match"]["type"] == "phrase"
    assert body["sort"][0] == "_score"
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["highlight"]["encoder"] == "html"
    assert "suggest" not in body  # "did you mean" comes from the vocabulary (search.vocabulary)


def test_relaxed_query_needs_most_words():
    req = _request(query="bão ở nghi sơn")
    req.min_match = 2
    need, words = _match(elastic.build_search(req).to_dict())
    assert need == 2 and len(words) == 4


def test_facet_aggregations():
    body = elastic.build_search(_request(query="bão")).to_dict()
    assert set(body["aggs"]) == {"outlet", "section", "format", "year", "tag", "place"}
    assert body["aggs"]["tag"]["terms"]["field"] == "tag_facet"


def test_filters_scope_dates_in_local_time_and_paging():
    req = _request(
        query="chuyen doi so",
        filters={"year": "2025", "tag": "chuyển-đổi-số", "from": "2025-01-01", "to": "2025-06-30"},
        sort="newest",
        page=3,
        per_page=10,
        agency_ids=[2],
    )
    body = elastic.build_search(req).to_dict()
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"year": 2025}} in filters
    assert {"term": {"tags": "chuyển-đổi-số"}} in filters
    assert {"terms": {"agency_id": [2]}} in filters
    date_range = next(f for f in filters if "range" in f)["range"]["published_at"]
    assert date_range == {
        "gte": "2025-01-01",
        "lte": "2025-06-30",
        "time_zone": "Asia/Ho_Chi_Minh",
    }
    assert body["sort"] == [{"published_at": {"order": "desc"}}]
    assert (body["from"], body["size"]) == (20, 10)


def test_injection_attempts_reach_es_as_plain_words():
    body = elastic.build_search(_request(query='title:* OR *:* "x" ~^2 {"script": 1}')).to_dict()
    # Words only, in a multi_match (never query_string): no Lucene syntax is parsed.
    _need, words = _match(body)
    assert [w["query"] for w in words] == ["title", "or", "x", "2", "script", "1"]
    assert "query_string" not in str(body)


@pytest.mark.django_db
def test_document_from_a_premium_story_row_has_only_public_text(indexed):
    row = StoryIndex.objects.filter(access_level="premium").first()
    doc = elastic.document_from_row(row).to_dict()
    assert doc["body"] == row.body and "Những chuyển biến rõ nét" not in doc["body"]
    assert doc["published_at"].endswith("+07:00")
    assert doc["outlet_facet"] == f"{row.outlet_id}|{row.outlet_name}"


@pytest.mark.django_db
def test_cluster_down_gives_readers_a_plain_answer(client, indexed, settings):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_ELASTICSEARCH_URL = dead
    response = client.get("/api/search/", {"q": "bão"}, HTTP_HOST="localhost")
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 0 and data["hits"] == []
    assert any("tạm thời gián đoạn" in m for m in data["messages"])


@needs_cluster
@pytest.mark.django_db
def test_real_cluster_rebuild_alias_and_search(indexed, settings):
    from elasticsearch import Elasticsearch

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_ELASTICSEARCH_URL = ES_URL
    settings.SEARCH_ELASTICSEARCH_ALIAS = f"hoitu-test-{uuid.uuid4().hex[:8]}"
    es = Elasticsearch(ES_URL)
    try:
        first = elastic.index_rebuild(es=es)
        second = elastic.index_rebuild(es=es)  # the alias moves; the old index goes
        assert list(es.indices.get_alias(name=settings.SEARCH_ELASTICSEARCH_ALIAS)) == [second]
        assert not es.indices.exists(index=first)
        from search.selectors import story_search

        result = story_search(query="thanh hoa chuyen doi so")
        assert result.backend == "elasticsearch" and result.total >= 1
        assert "Thanh Hóa đẩy mạnh chuyển đổi số" in result.hits[0].headline.replace(
            "<mark>", ""
        ).replace("</mark>", "")
        storm = story_search(query="bão")
        assert "Bão" in storm.hits[0].headline or "bão" in storm.hits[0].headline
    finally:
        # By name: clusters refuse wildcard deletes (action.destructive_requires_name).
        for name in es.indices.get(index=f"{settings.SEARCH_ELASTICSEARCH_ALIAS}-*"):
            es.indices.delete(index=name)


@pytest.mark.django_db(transaction=True)
def test_index_task_retries_while_the_cluster_cannot_be_reached(indexed, settings):
    """The update reaches Elasticsearch after the commit, inside the task: a cluster that
    cannot be reached makes the task schedule a retry (it is idempotent) instead of
    dropping the update until the next rebuild."""
    import socket

    from celery.exceptions import Retry
    from elasticsearch import TransportError

    from search.tasks import story_index_update

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_ELASTICSEARCH_URL = dead
    row = StoryIndex.objects.first()
    with pytest.raises(Retry) as retry:  # tests propagate eager errors: the retry shows here
        story_index_update.apply(args=(row.page_id,))
    assert isinstance(retry.value.exc, TransportError)
