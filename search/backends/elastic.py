"""Elasticsearch / OpenSearch backend through `elasticsearch.dsl` (the module of the
`elasticsearch` package that replaced `elasticsearch-dsl`).

- Analysis: `vi_folding` = standard tokenizer + lowercase + asciifolding with
  preserve_original, so "bão" is indexed as both "bão" and "bao" (no ICU plugin needed;
  Lucene's ASCII folding maps đ → d). A query "bao" finds both; a query "bão" matches the
  original token too and scores higher, and an `.exact` sub-field (no folding) adds more.
- The database backend's scoring rule, in constant scores (`text_query`); "did you mean",
  typo correction and word splitting come from the vocabulary (`search.vocabulary`), as
  on the database backend.
- Keyword fields for facets ("id|label", so one aggregation gives both), a date field
  stored with the Asia/Ho_Chi_Minh offset and ranged in that zone, highlighting.
- Readers query an alias; `index_rebuild` fills a new dated index and swaps the alias in
  one atomic `update_aliases` call: zero downtime."""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from ..folding import has_diacritics, tone_variants
from ..highlight import mark, snippet
from ..query import (
    BODY,
    EXACT,
    FILTER_COLUMNS,
    HEADLINE,
    LEAD,
    MAX_RESULTS,
    PHRASE,
    FacetValue,
    SearchHit,
    SearchRequest,
    SearchResult,
)

LOCAL_TZ = "Asia/Ho_Chi_Minh"
FACET_SIZE = 20

vi_folding_filter = token_filter("vi_folding_filter", "asciifolding", preserve_original=True)
vi_folding = analyzer("vi_folding", tokenizer="standard", filter=["lowercase", vi_folding_filter])
vi_exact = analyzer("vi_exact", tokenizer="standard", filter=["lowercase"])
vi_shingle = token_filter("vi_shingle", "shingle", min_shingle_size=2, max_shingle_size=3)
vi_suggest = analyzer("vi_suggest", tokenizer="standard", filter=["lowercase", vi_shingle])


def _text():
    return Text(analyzer=vi_folding, fields={"exact": Text(analyzer=vi_exact)})


class StoryDocument(Document):
    """One published story as readers may see it (built from a `StoryIndex` row)."""

    page_id = Integer()
    site_id = Integer()
    agency_id = Integer()
    outlet_id = Integer()
    section_id = Integer()
    place_id = Integer()
    headline = _text()
    standfirst = _text()
    keywords = _text()
    body = _text()
    suggest = Text(analyzer=vi_suggest)
    primary_format = Keyword()
    access_level = Keyword()
    year = Integer()
    # Sent with its +07:00 offset (local time); ranges are evaluated in LOCAL_TZ too.
    published_at = Date(default_timezone=LOCAL_TZ, format="strict_date_optional_time")
    tags = Keyword()
    outlet_facet = Keyword()
    section_facet = Keyword()
    tag_facet = Keyword()
    place_facet = Keyword()
    url = Keyword(index=False)
    outlet_name = Keyword(index=False)
    section_title = Keyword(index=False)

    class Index:
        name = "hoitu-stories"


def alias_name() -> str:
    return settings.SEARCH_ELASTICSEARCH_ALIAS


def story_index(name: str) -> Index:
    """The index definition (settings, analysis, mappings) under a concrete name."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=MAX_RESULTS)
    index.document(StoryDocument)
    return index


def document_from_row(row) -> StoryDocument:
    tags = list(row.tag_rows.all())
    local = timezone.localtime(row.published_at, zoneinfo.ZoneInfo(LOCAL_TZ))
    doc = StoryDocument(
        meta={"id": row.page_id},
        page_id=row.page_id,
        site_id=row.site_id,
        agency_id=row.agency_id,
        outlet_id=row.outlet_id,
        section_id=row.section_id,
        place_id=row.place_id,
        headline=row.headline,
        standfirst=row.standfirst,
        keywords=row.keywords,
        body=row.body,
        suggest=f"{row.headline}. {row.standfirst}",
        primary_format=row.primary_format,
        access_level=row.access_level,
        year=row.year,
        published_at=local.isoformat(),
        tags=[t.slug for t in tags],
        outlet_facet=f"{row.outlet_id}|{row.outlet_name}",
        section_facet=f"{row.section_id}|{row.section_title}",
        tag_facet=[f"{t.slug}|{t.name}" for t in tags],
        place_facet=f"{row.place_id}|{row.place_name}" if row.place_id else None,
        url=row.url,
        outlet_name=row.outlet_name,
        section_title=row.section_title,
    )
    return doc


FACET_FIELDS = {
    "outlet": "outlet_facet",
    "section": "section_facet",
    "format": "primary_format",
    "year": "year",
    "tag": "tag_facet",
    "place": "place_facet",
}
TEXT_FIELDS = ["headline", "standfirst", "keywords", "body"]
# The one scoring rule of every backend (search.query): per word, the best
# field it is in; per word typed with diacritics and found so, EXACT; the words in a row in
# the headline, standfirst or tags, PHRASE per word. Constant scores, so Elasticsearch
# orders exactly as the database does (no term-frequency or length weighting).
FIELD_POINTS = {"headline": HEADLINE, "standfirst": LEAD, "keywords": LEAD, "body": BODY}


def _constant(query, points) -> Q:
    return Q("constant_score", filter=query, boost=points)


def text_query(req: SearchRequest) -> Q:
    """Which stories match (a filter: every word, or `req.min_match` of them, folded) and
    how they score (the rule above)."""
    words = req.words
    need = len(words) if req.min_match is None else min(req.min_match, len(words))
    match = Q(
        "bool",
        should=[Q("multi_match", query=w, fields=TEXT_FIELDS) for w in words],
        minimum_should_match=need,
    )
    scoring = [
        Q(
            "dis_max",
            queries=[
                _constant(Q("match", **{field: w}), points)
                for field, points in FIELD_POINTS.items()
            ],
        )
        for w in words
    ]
    for word in words:
        if has_diacritics(word):
            exact_fields = [f"{f}.exact" for f in TEXT_FIELDS]
            variants = [Q("multi_match", query=v, fields=exact_fields) for v in tone_variants(word)]
            scoring.append(_constant(Q("bool", should=variants, minimum_should_match=1), EXACT))
    if len(words) > 1:
        phrase = Q(
            "multi_match",
            query=" ".join(words),
            type="phrase",
            fields=["headline", "standfirst", "keywords"],
        )
        scoring.append(_constant(phrase, PHRASE * len(words)))
    return Q("bool", filter=[match], should=scoring)


def build_search(req: SearchRequest) -> Search:
    """The DSL search for a checked request (what is sent to the cluster)."""
    s = Search(index=alias_name())
    if req.words:
        s = s.query(text_query(req))
        s = (
            s.highlight_options(
                encoder="html",
                pre_tags=["<mark>"],
                post_tags=["</mark>"],
                fragment_size=200,
                number_of_fragments=1,
            )
            .highlight("headline", number_of_fragments=0)
            .highlight("standfirst")
            .highlight("body")
        )
    if req.site_id is not None:
        s = s.filter("term", site_id=req.site_id)
    if req.agency_ids is not None:
        s = s.filter("terms", agency_id=req.agency_ids)
    f = req.filters
    for key, field in (FILTER_COLUMNS | {"tag": "tags"}).items():
        if key in f:
            s = s.filter("term", **{field: f[key]})
    date_range = {}
    if "from" in f:
        date_range["gte"] = f["from"].isoformat()
    if "to" in f:
        date_range["lte"] = f["to"].isoformat()
    if date_range:
        s = s.filter("range", published_at={**date_range, "time_zone": LOCAL_TZ})
    for key, field in FACET_FIELDS.items():
        s.aggs.bucket(key, "terms", field=field, size=FACET_SIZE)
    if req.sort == "newest" or not req.words:
        s = s.sort({"published_at": {"order": "desc"}})
    else:
        s = s.sort("_score", {"published_at": {"order": "desc"}})
    s = s.extra(track_total_hits=True)
    return s[req.offset : req.offset + req.per_page]


def client():
    return Elasticsearch(settings.SEARCH_ELASTICSEARCH_URL, request_timeout=10)


def parse_response(req: SearchRequest, response) -> SearchResult:
    hits = []
    for hit in response:
        hl = getattr(hit.meta, "highlight", None)
        headline = hl.headline[0] if hl and "headline" in hl else mark(hit.headline, req.words)
        if hl and "body" in hl:
            text = hl.body[0]
        elif hl and "standfirst" in hl:
            text = hl.standfirst[0]
        else:
            text = snippet(hit.body or hit.standfirst, req.words)
        hits.append(
            SearchHit(
                page_id=hit.page_id,
                site_id=hit.site_id,
                url=hit.url,
                # ES escapes the text itself (encoder=html) and adds only <mark>.
                headline=mark_safe(headline),
                snippet=mark_safe(text),
                outlet=hit.outlet_name,
                section=hit.section_title,
                primary_format=hit.primary_format,
                access_level=hit.access_level,
                published_at=datetime.datetime.fromisoformat(str(hit.published_at)),
                score=hit.meta.score or 0.0,
            )
        )
    facets = {}
    for key in FACET_FIELDS:
        values = []
        for bucket in getattr(response.aggregations, key).buckets:
            value, _, label = str(bucket.key).partition("|")
            values.append(FacetValue(value, label or value, bucket.doc_count))
        facets[key] = values
    return SearchResult(
        query=req.text,
        hits=hits,
        total=response.hits.total.value,
        page=req.page,
        per_page=req.per_page,
        facets=facets,
        backend="elasticsearch",
    )


class ElasticsearchBackend:
    name = "elasticsearch"
    # Cluster down, timed out or refusing the request: the reader gets a plain answer.
    errors = (ApiError, TransportError)

    def count(self, req: SearchRequest) -> int:
        """How many stories match (the count API: no hits, no aggregations)."""
        return build_search(req).using(client()).count()

    def exists(self, req: SearchRequest) -> bool:
        return self.count(req) > 0

    def search(self, req: SearchRequest) -> SearchResult:
        return parse_response(req, build_search(req).using(client()).execute())


def document_save(*, row_id: int, es=None) -> None:
    from ..models import StoryIndex

    row = StoryIndex.objects.filter(pk=row_id).prefetch_related("tag_rows").first()
    if row is not None:
        document_from_row(row).save(using=es or client(), index=alias_name())


def document_delete(*, page_id: int, es=None) -> None:
    (es or client()).options(ignore_status=404).delete(index=alias_name(), id=page_id)


def index_rebuild(*, es=None) -> str:
    """Fill a new dated index from the database index, then point the alias at it and
    drop the old ones. Readers keep querying the old index until the swap."""
    from elasticsearch.helpers import bulk

    from ..models import StoryIndex

    es = es or client()
    alias = alias_name()
    name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
    story_index(name).create(using=es)
    rows = StoryIndex.objects.prefetch_related("tag_rows").order_by("pk")
    bulk(
        es,
        (
            document_from_row(row).to_dict(include_meta=True, skip_empty=False) | {"_index": name}
            for row in rows.iterator(chunk_size=500)
        ),
        chunk_size=500,
    )
    es.indices.refresh(index=name)
    old = (
        list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    )
    actions = [{"add": {"index": name, "alias": alias}}]
    actions += [{"remove": {"index": o, "alias": alias}} for o in old]
    es.indices.update_aliases(actions=actions)
    for o in old:
        es.indices.delete(index=o)
    return name
