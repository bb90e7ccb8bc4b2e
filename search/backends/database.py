"""The embedded default backend: the story index table in the project's database.

PostgreSQL: full text on the generated tsvector columns of migration 0002 — `hoitu_vi`
(unaccent folding) decides what matches; the `simple` (exact) vector lifts stories that
contain the query's words with the reader's own diacritics, so "bão" (storm) comes before
"báo" (newspaper). Suggestions use pg_trgm similarity on the vocabulary.

SQLite (`make run`): the folded word column decides what matches (whole words, with a
substring test on the space-delimited column); ranking counts exact-diacritic words and
headline words (`vi_fold`, registered by SearchConfig). Suggestions use difflib."""

import datetime
import difflib

from django.db import DatabaseError, connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..folding import fold, has_diacritics
from ..highlight import mark, snippet
from ..models import SearchTerm, StoryIndex, StoryIndexTag
from ..query import FILTER_COLUMNS, FacetValue, SearchHit, SearchRequest, SearchResult

FACET_LIMIT = 20


class ViFold(Func):
    function = "vi_fold"
    output_field = TextField()


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


def matching(qs, req: SearchRequest):
    """Rows matching every query word, folded (no ranking: counting and facets need none)."""
    if not req.words:
        return qs
    if _postgres():
        return qs.alias(
            hit=RawSQL(
                "vector_folded @@ plainto_tsquery('hoitu_vi', %s)",
                [" ".join(req.words)],
                output_field=BooleanField(),
            )
        ).filter(hit=True)
    for word in req.folded_words:
        qs = qs.filter(search_folded__contains=f" {word} ")
    return qs


def ranked(qs, req: SearchRequest):
    """Matching rows with a `score` annotation."""
    words = req.words
    if not words:
        return qs.annotate(score=Value(0.0, output_field=FloatField()))
    exact_words = [w for w in words if has_diacritics(w)]
    if _postgres():
        # Each rank is in [0, 1) (normalisation 32); each exact-diacritic word found adds
        # 1, so a story with the reader's exact words always outranks a folded-only one.
        sql = ["ts_rank_cd(vector_folded, plainto_tsquery('hoitu_vi', %s), 32)"]
        params: list = [" ".join(words)]
        if exact_words:
            sql.append("ts_rank_cd(vector_exact, to_tsquery('simple', %s), 32)")
            params.append(" | ".join(exact_words))
            for word in exact_words:
                sql.append("(vector_exact @@ to_tsquery('simple', %s))::int")
                params.append(word)
        return qs.annotate(score=RawSQL(" + ".join(sql), params, output_field=FloatField()))

    score = Value(0, output_field=IntegerField())
    qs = qs.annotate(headline_folded=ViFold("headline"))
    for word in exact_words:
        score = score + Case(
            When(search_exact__contains=f" {word} ", then=Value(10)),
            default=Value(0),
            output_field=IntegerField(),
        )
    for word in req.folded_words:
        score = score + Case(
            When(headline_folded__contains=word, then=Value(3)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return qs.annotate(score=score)


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
    # Nothing matched: skip the tag query (its planner estimate for an empty match is poor:
    # ~0.5 s on 100,000 stories for nothing).
    facets["tag"] = tag_facet(qs) if total else []
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


def suggestion(words: list[str]) -> str | None:
    """A corrected query when some word is not in the vocabulary (folded), using the
    closest known word, with its diacritics ("chuyn doi so" → "chuyển đổi số")."""
    if not words:
        return None
    folded = [fold(w) for w in words]
    known = set(SearchTerm.objects.filter(folded__in=folded).values_list("folded", flat=True))
    if all(f in known for f in folded):
        return None
    corrected = []
    changed = False
    for word, f in zip(words, folded, strict=True):
        if f in known or f.isdigit() or len(f) < 2:
            corrected.append(word)
            continue
        best = _closest(f)
        if best and fold(best) != f:
            corrected.append(best)
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def _closest(folded_word: str) -> str | None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM search_searchterm WHERE folded %% %s "
                "ORDER BY similarity(folded, %s) DESC, frequency DESC, word LIMIT 1",
                [folded_word, folded_word],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    candidates: dict[str, str] = {}
    rows = (
        SearchTerm.objects.filter(folded__startswith=folded_word[:1])
        .order_by("-frequency", "word")
        .values_list("folded", "word")
    )
    for folded, word in rows[:20000].iterator():
        candidates.setdefault(folded, word)  # the most frequent word of a folded form
    best = difflib.get_close_matches(folded_word, list(candidates), n=1, cutoff=0.7)
    return candidates[best[0]] if best else None


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

    def search(self, req: SearchRequest) -> SearchResult:
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
            suggestion=suggestion(req.words),
            backend=self.name,
        )
