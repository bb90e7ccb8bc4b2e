"""The embedded default backend: the story index table in the project's database.

PostgreSQL: full text on the generated tsvector columns of migrations 0002 and 0004 —
`hoitu_vi` (unaccent folding) decides what matches; scoring reads the short `vector_lead`
(which field a word is in) and the `simple` (exact) vector's index (the reader's own
diacritics), so "bão" (storm) comes before "báo" (newspaper).

SQLite (`make run`): the space-delimited folded word column decides what matches (whole
words); scoring compares the folded words of the headline and standfirst (`vi_words`,
registered by SearchConfig) and the exact word column. Same rule, same order.

Typo correction and word splitting are not here: `search.vocabulary`, for every backend."""

import contextlib
import datetime

from django.db import DatabaseError, connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from ..folding import fold, has_diacritics, tone_variants
from ..highlight import mark, snippet
from ..models import StoryIndex, StoryIndexTag
from ..query import (
    BODY,
    EXACT,
    FILTER_COLUMNS,
    HEADLINE,
    LEAD,
    PHRASE,
    FacetValue,
    SearchHit,
    SearchRequest,
    SearchResult,
)

FACET_LIMIT = 20


def _local_midnight(date: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def filtered(req: SearchRequest):
    """The index rows the request's scope and filters allow (no text matching yet)."""
    qs = StoryIndex.objects.all()
    if req.site_id is not None:
        qs = qs.filter(site_id=req.site_id)
    if req.agency_ids is not None:
        qs = qs.filter(agency_id__in=req.agency_ids)
    f = req.filters
    for key, column in FILTER_COLUMNS.items():
        if key in f:
            qs = qs.filter(**{column: f[key]})
    if "tag" in f:
        qs = qs.filter(tag_rows__slug=f["tag"])
    if "from" in f:
        qs = qs.filter(published_at__gte=_local_midnight(f["from"]))
    if "to" in f:
        qs = qs.filter(published_at__lt=_local_midnight(f["to"] + datetime.timedelta(days=1)))
    return qs


def _postgres() -> bool:
    return connection.vendor == "postgresql"


class ViWords(Func):
    """` w1 w2 … `: the folded words of a text, space-delimited (SQLite, see apps)."""

    function = "vi_words"
    output_field = TextField()


def _ts_or(words) -> str:
    # Query words are letters and digits only (folding.WORD_RE): no tsquery syntax.
    return " | ".join(words)


def matching(qs, req: SearchRequest):
    """Rows matching every query word (or `req.min_match` of them), folded, whole words.
    No ranking: counting and facets need none."""
    if not req.words:
        return qs
    relaxed = req.min_match is not None and req.min_match < len(req.words)
    if _postgres():
        if not relaxed:
            sql, params = "vector_folded @@ plainto_tsquery('hoitu_vi', %s)", [" ".join(req.words)]
        else:
            tests = " + ".join(
                ["(vector_folded @@ plainto_tsquery('hoitu_vi', %s))::int"] * len(req.words)
            )
            sql = f"vector_folded @@ to_tsquery('hoitu_vi', %s) AND ({tests}) >= %s"
            params = [_ts_or(req.words), *req.words, req.min_match]
        return qs.alias(hit=RawSQL(sql, params, output_field=BooleanField())).filter(hit=True)
    if not relaxed:
        for word in req.folded_words:
            qs = qs.filter(search_folded__contains=f" {word} ")
        return qs
    found = sum(
        (_if(Q(search_folded__contains=f" {w} "), 1) for w in req.folded_words),
        Value(0, output_field=IntegerField()),
    )
    return qs.alias(found=found).filter(found__gte=req.min_match)


def _if(condition, points: int):
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def ranked(qs, req: SearchRequest):
    """Matching rows with a `score` annotation (the rule in `search.query`)."""
    words = req.words
    if not words:
        return qs.annotate(score=Value(0.0, output_field=FloatField()))
    exact_words = [w for w in words if has_diacritics(w)]
    relaxed = req.min_match is not None and req.min_match < len(words)
    if _postgres():
        return qs.annotate(score=RawSQL(*_score_postgres(words, exact_words, relaxed)))
    qs = qs.alias(
        head_words=ViWords("headline"),
        lead_words=ViWords(Concat("standfirst", Value(" "), "keywords")),
    )
    score = Value(0, output_field=IntegerField())
    for word in req.folded_words:
        padded = f" {word} "
        # Relaxed: a word may be missing (0); otherwise every word is at least in the body.
        rest = _if(Q(search_folded__contains=padded), BODY) if relaxed else Value(BODY)
        score = score + Case(
            When(head_words__contains=padded, then=Value(HEADLINE)),
            When(lead_words__contains=padded, then=Value(LEAD)),
            default=rest,
            output_field=IntegerField(),
        )
    for word in exact_words:
        found = Q()
        for variant in tone_variants(word):
            found |= Q(search_exact__contains=f" {variant} ")
        score = score + _if(found, EXACT)
    if len(words) > 1:
        phrase = f" {' '.join(req.folded_words)} "
        qs = qs.alias(all_lead=Concat("head_words", "lead_words"))
        score = score + _if(Q(all_lead__contains=phrase), PHRASE * len(words))
    return qs.annotate(score=score)


def _score_postgres(words, exact_words, relaxed) -> tuple[str, list, FloatField]:
    # Field tests read the short `vector_lead` (headline A, standfirst and tags B); a word
    # typed exactly is looked up once in the GIN index of `vector_exact` (a hashed
    # subplan), not in each matching row's body vector.
    sql, params = [], []
    for word in words:
        rest = str(BODY)
        if relaxed:
            rest = f"(vector_folded @@ plainto_tsquery('hoitu_vi', %s))::int * {BODY}"
        sql.append(
            "CASE WHEN vector_lead @@ to_tsquery('hoitu_vi', %s) THEN "
            f"{HEADLINE} WHEN vector_lead @@ to_tsquery('hoitu_vi', %s) THEN {LEAD} "
            f"ELSE {rest} END"
        )
        params += [f"{word}:A", word] + ([word] if relaxed else [])
    for word in exact_words:
        sql.append(
            "CASE WHEN search_storyindex.id IN (SELECT s2.id FROM search_storyindex s2 "
            f"WHERE s2.vector_exact @@ to_tsquery('simple', %s)) THEN {EXACT} ELSE 0 END"
        )
        params.append(_ts_or(tone_variants(word)))
    if len(words) > 1:
        sql.append(
            "CASE WHEN vector_lead @@ phraseto_tsquery('hoitu_vi', %s) "
            f"THEN {PHRASE * len(words)} ELSE 0 END"
        )
        params.append(" ".join(words))
    return "(" + " + ".join(sql) + ")::float", params, FloatField()


# GROUPING(outlet_id, section_id, primary_format, year, place_id) of each grouping set:
# a 0 bit marks the column grouped on.
_GROUPING_SETS = {15: "outlet", 23: "section", 27: "format", 29: "year", 30: "place", 31: None}
_FACET_COLUMNS = {
    "outlet": ("outlet_id", "outlet_name"),
    "section": ("section_id", "section_title"),
    "format": ("primary_format", "primary_format"),
    "year": ("year", "year"),
    "place": ("place_id", "place_name"),
}


def count_and_facets_postgres(qs) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total and five facets in one scan of the matching rows (GROUPING SETS), not
    six: on 100,000 stories a broad query matches most of them, and each scan costs."""
    inner = qs.order_by().values(*{c for pair in _FACET_COLUMNS.values() for c in pair})
    sql, params = inner.query.sql_with_params()
    query = (
        "SELECT GROUPING(outlet_id, section_id, primary_format, year, place_id), "
        "outlet_id, outlet_name, section_id, section_title, primary_format, year, "
        "place_id, place_name, COUNT(*) "
        f"FROM ({sql}) AS matched GROUP BY GROUPING SETS ("
        "(outlet_id, outlet_name), (section_id, section_title), (primary_format), (year), "
        "(place_id, place_name), ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    total = 0
    facets: dict[str, list[FacetValue]] = {key: [] for key in _FACET_COLUMNS}
    names = ["outlet_id", "outlet_name", "section_id", "section_title", "primary_format"]
    names += ["year", "place_id", "place_name"]
    for grouping, *values, count in rows:
        key = _GROUPING_SETS.get(grouping)
        if key is None:
            total = count
            continue
        row = dict(zip(names, values, strict=True))
        value_col, label_col = _FACET_COLUMNS[key]
        if row[value_col] is None:
            continue
        facets[key].append(FacetValue(str(row[value_col]), str(row[label_col]), count))
    for key, values in facets.items():
        if key == "year":
            values.sort(key=lambda v: -int(v.value))
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        facets[key] = values[:FACET_LIMIT]
    return total, facets


def tag_facet(qs) -> list[FacetValue]:
    tags = (
        StoryIndexTag.objects.filter(story__in=qs.order_by().values("pk"))
        .values("slug", "name")
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:FACET_LIMIT]
    )
    return [FacetValue(t["slug"], t["name"], t["n"]) for t in tags]


def facet_counts(qs) -> dict[str, list[FacetValue]]:
    def grouped(value, label, order=("-n", "label")):
        rows = (
            qs.order_by()
            .values(value=F(value), label=F(label))
            .annotate(n=Count("id"))
            .order_by(*order)[:FACET_LIMIT]
        )
        return [FacetValue(str(r["value"]), str(r["label"]), r["n"]) for r in rows]

    facets = {
        "outlet": grouped("outlet_id", "outlet_name"),
        "section": grouped("section_id", "section_title"),
        "format": grouped("primary_format", "primary_format"),
        "year": grouped("year", "year", order=("-value",)),
        "place": [f for f in grouped("place_id", "place_name") if f.value != "None"],
    }
    facets["tag"] = tag_facet(qs)
    return facets


@contextlib.contextmanager
def _text_indexes(req: SearchRequest):
    """PostgreSQL: answer text matches from the GIN indexes (a bitmap scan), never by
    reading each row's vector. The planner prices `@@` as cheap and, once a query matches a
    third of the stories, reads every row (or walks another index) testing the vector,
    which detoasts it: 1.7 s instead of 0.5 s on 59,000 stories. Set for the search's own
    queries (inside the transaction `search.selectors` runs each search in), and reset."""
    local = bool(req.words) and _postgres() and connection.in_atomic_block
    if local:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    yield
    if local:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")


def _hit(row, req: SearchRequest) -> SearchHit:
    text = row.body or row.standfirst
    if req.words and row.standfirst and not _contains(row.body, req.folded_words):
        text = row.standfirst
    return SearchHit(
        page_id=row.page_id,
        site_id=row.site_id,
        url=row.url,
        headline=mark(row.headline, req.words),
        snippet=snippet(text, req.words),
        outlet=row.outlet_name,
        section=row.section_title,
        primary_format=row.primary_format,
        access_level=row.access_level,
        published_at=row.published_at,
        score=float(row.score or 0),
    )


def _contains(text: str, folded_words: list[str]) -> bool:
    padded = f" {' '.join(fold(text).split())} "
    return any(f" {w} " in padded for w in folded_words)


class DatabaseBackend:
    name = "database"
    # What a search may fail with that is the service's fault, not the reader's.
    errors = (DatabaseError,)

    def count(self, req: SearchRequest) -> int:
        """How many stories match (no ranking, hits or facets): what forgiving search
        tries its rewrites with."""
        with _text_indexes(req):
            return matching(filtered(req), req).count()

    def search(self, req: SearchRequest) -> SearchResult:
        with _text_indexes(req):
            result = self._search(req)
        if _postgres():
            # Outside the bitmap-only settings: from the few tag rows, each story checked
            # by its key (34 ms for "bão" on 59,000 stories, against 800 ms by bitmap).
            # Nothing matched: no tag query (its estimate for an empty match is poor).
            rows = matching(filtered(req), req)
            result.facets["tag"] = tag_facet(rows) if result.total else []
        return result

    def _search(self, req: SearchRequest) -> SearchResult:
        rows = matching(filtered(req), req)
        if _postgres():
            total, facets = count_and_facets_postgres(rows)
        else:
            total, facets = rows.count(), facet_counts(rows)
        qs = ranked(rows, req)
        if req.sort == "newest" or not req.words:
            qs = qs.order_by("-published_at", "-page_id")
        else:
            qs = qs.order_by("-score", "-published_at", "-page_id")
        hits = []
        if req.offset < total:
            hits = [_hit(row, req) for row in qs[req.offset : req.offset + req.per_page]]
        return SearchResult(
            query=req.text,
            hits=hits,
            total=total,
            page=req.page,
            per_page=req.per_page,
            facets=facets,
            backend=self.name,
        )
