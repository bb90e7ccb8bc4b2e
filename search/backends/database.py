"""The embedded default backend: the story index table in the project's database.

PostgreSQL: full text on the generated tsvector columns of migrations 0002 and 0004 —
`hoitu_vi` (unaccent folding) decides what matches; scoring reads the short `vector_lead`
(which field a word is in) and the `simple` (exact) vector (the reader's own
diacritics), so "bão" (storm) comes before "báo" (newspaper). A query matching a large
share of the archive is counted, faceted and ranked over its newest matches
(`_newest_window`), others over every match with at most RANK_WINDOW ranked
(docs/search.md, "Broad queries").

SQLite (`make run`): the space-delimited folded word column decides what matches (whole
words); scoring compares the folded words of the headline and standfirst (`vi_words`,
registered by SearchConfig) and the exact word column. Same rule, same order.

Typo correction and word splitting are not here: `search.vocabulary`, for every backend."""

import contextlib
import dataclasses
import datetime
import hashlib
import math

from django.conf import settings
from django.core.cache import cache
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
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from .. import vocabulary
from ..folding import fold, has_diacritics, tone_variants
from ..highlight import mark, snippet
from ..models import SearchTerm, StoryIndex, StoryIndexTag
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
# A query matching more stories than this is ranked among its newest this many matches
# (`_newest_window`, `_ranking_rows`). The setting SEARCH_RANK_WINDOW may change it.
RANK_WINDOW = 500
# Any one statement of a search running longer than this (ms) is cancelled; the setting
# SEARCH_STATEMENT_TIMEOUT_MS may change it.
STATEMENT_TIMEOUT_MS = 3000
SCOPE_SIZE_SECONDS = 300


def _local_midnight(date: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def filtered(req: SearchRequest):
    """The index rows the request's scope and filters allow (no text matching yet).

    PostgreSQL, with query words: the scope and filter columns are compared as
    `COALESCE(column, column)`, which no B-tree index answers, so the text match always
    comes from the GIN index's bitmap and these are tested in the (narrow) row. Otherwise,
    once a word is in most stories, the planner takes a scope index ("site_id = 2") and
    tests every row's text vector instead, reading each back from TOAST: 1.7 s instead of
    0.1 s for "xã" on 100,000 stories."""
    qs = StoryIndex.objects.all()
    unindexed = bool(req.words) and _postgres()

    def where(qs, column, lookup, value):
        if not unindexed:
            return qs.filter(**{f"{column}__{lookup}": value})
        alias = f"_{column}_{lookup}"
        return qs.alias(**{alias: Coalesce(column, column)}).filter(**{f"{alias}__{lookup}": value})

    if req.site_id is not None:
        qs = where(qs, "site_id", "exact", req.site_id)
    if req.agency_ids is not None:
        qs = where(qs, "agency_id", "in", req.agency_ids)
    f = req.filters
    for key, column in FILTER_COLUMNS.items():
        if key in f:
            qs = where(qs, column, "exact", f[key])
    if "tag" in f:
        qs = qs.filter(pk__in=StoryIndexTag.objects.filter(slug=f["tag"]).values("story_id"))
    if "from" in f:
        qs = where(qs, "published_at", "gte", _local_midnight(f["from"]))
    if "to" in f:
        end = _local_midnight(f["to"] + datetime.timedelta(days=1))
        qs = where(qs, "published_at", "lt", end)
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
    # typed exactly is tested in the row's `vector_exact`. Both are read back from TOAST,
    # cheap for the at most RANK_WINDOW rows ever ranked (`_ranking_rows`).
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
        sql.append(f"CASE WHEN vector_exact @@ to_tsquery('simple', %s) THEN {EXACT} ELSE 0 END")
        params.append(_ts_or(tone_variants(word)))
    if len(words) > 1:
        sql.append(
            "CASE WHEN vector_lead @@ phraseto_tsquery('hoitu_vi', %s) "
            f"THEN {PHRASE * len(words)} ELSE 0 END"
        )
        params.append(" ".join(words))
    return "(" + " + ".join(sql) + ")::float", params, FloatField()


# The grouping sets of the facet pass, in GROUPING()'s argument order: each set's
# GROUPING value has a 0 bit for the column it groups on.
_GROUPED = ("outlet_id", "section_id", "primary_format", "year", "place_id", "tag")
_SET_KEYS = ("outlet", "section", "format", "year", "place", "tag")
_ALL = (1 << len(_GROUPED)) - 1
_GROUPING_SETS = {_ALL ^ (1 << (len(_GROUPED) - 1 - i)): k for i, k in enumerate(_SET_KEYS)}
_GROUPING_SETS[_ALL] = None
_FACET_COLUMNS = {
    "outlet": ("outlet_id", "outlet_name"),
    "section": ("section_id", "section_title"),
    "format": ("primary_format", "primary_format"),
    "year": ("year", "year"),
    "place": ("place_id", "place_name"),
}


def count_and_facets_postgres(qs, *, ids=False) -> tuple[int, dict, list]:
    """The total and the six facets in one pass over the matching rows (GROUPING SETS),
    not seven: each pass reads every matching row. Tags come from the row's `tag_slugs`,
    one row per tag (`unnest` in the select list; a story is counted once in the other
    sets: its first tag row, or its only row when untagged); their labels are read
    afterwards for the few shown (`tag_labels`). With `ids`, also the matching rows' ids
    (for the window of a broad query: a few thousand)."""
    columns = {c for pair in _FACET_COLUMNS.values() for c in pair}
    inner = qs.order_by().values("id", *columns, "tag_slugs")
    sql, params = inner.query.sql_with_params()
    id_list = "array_agg(id) FILTER (WHERE tag_n = 1)" if ids else "NULL::int[]"
    query = (
        f"SELECT GROUPING({', '.join(_GROUPED)}), outlet_id, outlet_name, section_id, "
        "section_title, primary_format, year, place_id, place_name, tag, "
        f"COUNT(*) FILTER (WHERE tag_n = 1), COUNT(tag), {id_list} FROM ("
        "SELECT *, unnest(tag_array) AS tag, "
        "generate_series(1, cardinality(tag_array)) AS tag_n FROM (SELECT *, CASE "
        "WHEN tag_slugs = '' THEN '{NULL}'::text[] ELSE string_to_array(tag_slugs, ' ') "
        f"END AS tag_array FROM ({sql}) AS m) AS t) AS matched GROUP BY GROUPING SETS ("
        "(outlet_id, outlet_name), (section_id, section_title), (primary_format), (year), "
        "(place_id, place_name), (tag), ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    total, row_ids = 0, []
    facets: dict[str, list[FacetValue]] = {key: [] for key in (*_FACET_COLUMNS, "tag")}
    names = ["outlet_id", "outlet_name", "section_id", "section_title", "primary_format"]
    names += ["year", "place_id", "place_name", "tag"]
    for grouping, *values, stories, tagged, matched_ids in rows:
        key = _GROUPING_SETS.get(grouping)
        row = dict(zip(names, values, strict=True))
        if key is None:
            total, row_ids = stories, matched_ids or []
        elif key == "tag":
            if row["tag"]:
                facets["tag"].append(FacetValue(row["tag"], row["tag"], tagged))
        elif row[_FACET_COLUMNS[key][0]] is not None:
            value_col, label_col = _FACET_COLUMNS[key]
            facets[key].append(FacetValue(str(row[value_col]), str(row[label_col]), stories))
    for key, values in facets.items():
        if key == "year":
            values.sort(key=lambda v: -int(v.value))
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        facets[key] = values[:FACET_LIMIT]
    return total, facets, row_ids


def tag_labels(values: list[FacetValue]) -> list[FacetValue]:
    """Tag facet values (slug, count) with their names, ordered as on SQLite: most stories
    first, then by name. One index lookup per tag shown."""
    if not values:
        return values
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.slug, (SELECT t.name FROM search_storyindextag t WHERE t.slug = s.slug "
            "LIMIT 1) FROM unnest(%s::text[]) AS s(slug)",
            [[v.value for v in values]],
        )
        names = dict(cursor.fetchall())
    for value in values:
        value.label = names.get(value.value) or value.value
    return sorted(values, key=lambda v: (-v.count, v.label))


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
    local = _postgres() and connection.in_atomic_block
    text = local and bool(req.words)
    if local:
        # A guard: a search that runs away is cancelled (the reader is told the search is
        # unavailable, `search.selectors`) rather than holding a connection and a core.
        timeout = int(getattr(settings, "SEARCH_STATEMENT_TIMEOUT_MS", STATEMENT_TIMEOUT_MS))
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {timeout}")
            # No JIT compiling (hundreds of ms, for queries of tens of ms) and no parallel
            # workers (on a busy server they wait for a core; latency, not throughput).
            cursor.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
            if text:
                cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    yield
    if local:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout; RESET jit")
            cursor.execute("RESET max_parallel_workers_per_gather")
            if text:
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
        score=float(getattr(row, "score", 0) or 0),
    )


def _contains(text: str, folded_words: list[str]) -> bool:
    padded = f" {' '.join(fold(text).split())} "
    return any(f" {w} " in padded for w in folded_words)


class DatabaseBackend:
    name = "database"
    # What a search may fail with that is the service's fault, not the reader's.
    errors = (DatabaseError,)

    def exists(self, req: SearchRequest) -> bool:
        """Whether any story matches: what forgiving search tries its rewrites with (the
        first match found ends the scan; a count would read every match)."""
        with _text_indexes(req):
            return matching(filtered(req), req).exists()

    def search(self, req: SearchRequest) -> SearchResult:
        with _text_indexes(req):
            result = self._search(req)
        if _postgres():
            result.facets["tag"] = tag_labels(result.facets["tag"])
        return result

    def _search(self, req: SearchRequest) -> SearchResult:
        rows = matching(filtered(req), req)
        window = _newest_window(req, rows) if _postgres() else None
        approximate = window is not None
        if window:
            rows, total, facets, ids = window
            # Ranked and paged: the window's matches (their ids, from the facet pass).
            rows = StoryIndex.objects.filter(pk__in=ids)
            pageable = len(ids)
        elif _postgres():
            total, facets, _ = count_and_facets_postgres(rows)
            pageable = total
        else:
            total, facets = rows.count(), facet_counts(rows)
            pageable = total
        ranked_among = None
        if req.sort == "newest" or not req.words:
            qs = rows.order_by("-published_at", "-page_id")
        elif window:
            qs = ranked(rows, req).order_by("-score", "-published_at", "-page_id")
            ranked_among = pageable
        else:
            candidates, ranked_among = _ranking_rows(rows, total)
            qs = ranked(candidates, req).order_by("-score", "-published_at", "-page_id")
        hits = []
        if req.offset < pageable:
            hits = [_hit(row, req) for row in qs[req.offset : req.offset + req.per_page]]
        return SearchResult(
            query=req.text,
            hits=hits,
            total=total,
            page=req.page,
            per_page=req.per_page,
            facets=facets,
            backend=self.name,
            rank_window=ranked_among,
            approximate=approximate,
            pageable=pageable,
        )


def rank_window() -> int:
    return int(getattr(settings, "SEARCH_RANK_WINDOW", RANK_WINDOW))


# The window path reads each of the newest stories in scope (its text vector back from
# TOAST, ~12 µs); the exact path reads each match's narrow row (~3 µs). The window is
# tried a second time when at least this share of the first window's stories matched.
WINDOW_MIN_SHARE = 0.15


def _newest_window(req: SearchRequest, rows):
    """PostgreSQL, a broad query: (rows, estimated total, facets, ids) counted over the
    newest matches only — at least `rank_window()` of them — or None when the query is
    narrow enough to count every match (`count_and_facets_postgres`).

    The window is the K newest stories in the request's scope (walking the publication
    time index); its matches are found by testing each of those K stories, not from the
    GIN index over the whole archive. K is twice the window first (enough when half the
    stories match: "xã", "thanh hóa"), then sized from the share that matched. The total
    is that share times the stories in scope: an estimate, said so on the page ("khoảng");
    the facets count the window's matches."""
    limit = rank_window()
    scope = filtered(dataclasses.replace(req, words=[], min_match=None))
    size = _scope_size(req, scope)
    bound = _matches_bound(req)
    if bound is not None and bound < max(limit, WINDOW_MIN_SHARE * size):
        return None  # a rare word: counting every match is cheap
    k = 2 * limit
    for _attempt in range(2):
        if size <= k:
            return None
        with _index_scans():
            newest = scope.order_by("-published_at", "-page_id").values_list("id", flat=True)
            newest = list(newest[:k])
        recent = matching(StoryIndex.objects.filter(pk__in=newest), req)
        matched, facets, ids = count_and_facets_postgres(recent, ids=True)
        share = matched / k
        if matched >= limit:
            return recent, max(matched, round(share * size)), facets, ids
        if share < WINDOW_MIN_SHARE:
            return None
        k = math.ceil(1.2 * limit / share)
    return None


def _matches_bound(req: SearchRequest) -> int | None:
    """At most how many stories match every word, from the vocabulary (how many stories
    have each word, `search.SearchTerm`): the rarest word's count. None when unknown (no
    words, a relaxed search, or only digits, which the vocabulary leaves out)."""
    if not req.words or req.min_match is not None:
        return None
    folded = {w for w in req.folded_words if not w.isdigit()}
    if not folded:
        return None
    counts = dict(
        SearchTerm.objects.filter(folded__in=folded)
        .values_list("folded")
        .annotate(n=Sum("frequency"))
        .values_list("folded", "n")
    )
    return min(counts.get(w, 0) for w in folded)


def _scope_size(req: SearchRequest, scope) -> int:
    """Stories in the request's scope and filters, held in the cache for a few minutes
    (SEARCH_SCOPE_SIZE_SECONDS; 0: not held) and until the index changes (the vocabulary's
    version moves with every story indexed or dropped)."""
    seconds = int(getattr(settings, "SEARCH_SCOPE_SIZE_SECONDS", SCOPE_SIZE_SECONDS))
    scope_key = repr((req.site_id, req.agency_ids, sorted(req.filters.items())))
    version = cache.get(vocabulary.VERSION_KEY, 0)
    key = f"search:scope-size:{version}:{hashlib.sha256(scope_key.encode()).hexdigest()}"
    size = cache.get(key) if seconds else None
    if size is None:
        with _index_scans():
            size = scope.count()
        if seconds:
            cache.set(key, size, seconds)
    return size


@contextlib.contextmanager
def _index_scans():
    """Plain index scans back on, for a query on scope columns and time only (inside the
    search's `_text_indexes`, where they are off)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan')")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_indexscan = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [before])


def _ranking_rows(rows, total: int):
    """The rows relevance ranks when every match was counted: all of them, or — on
    PostgreSQL, when more match than `rank_window()` — the newest that many (from the GIN
    index's bitmap: the matches' narrow rows, then their vectors for these only), and that
    number, for the page to say so. Ties already go to the newest story, so the window
    changes the order only when fewer than a page of the newest matches reach the score
    of an older one."""
    limit = rank_window()
    if not _postgres() or total <= limit:
        return rows, None
    newest = rows.order_by("-published_at", "-page_id").values("pk")[:limit]
    return StoryIndex.objects.filter(pk__in=newest), limit
