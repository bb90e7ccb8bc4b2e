"""Search latency at 100,000 stories: the reader search API as readers call it, on
generated Vietnamese stories in a scratch PostgreSQL database. A benchmark, not a test:
run by hand.

    createdb -h 127.0.0.1 -U postgres hoitu_search100k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_search100k \\
        .venv/bin/python bench/search_latency.py --stories 100000
    # again, on the same data: --skip-generate; the plans: --explain [--only broad]

It migrates the database, loads the demo newsroom, then generates N stories from the demo's
Vietnamese text: real Wagtail StoryPage rows bulk-inserted with correct tree paths under
every section of the three outlets (60/25/15 %), published over eight years, each with its
commune and one to three of the demo's tags (about 4½ minutes for 100,000). Our index
rows are built in one SQL `INSERT … SELECT` with what the document builder would write
(checked on a sample of 20 against `story_index_document`), and the vocabulary is
recounted as `search_index --rebuild` does (about 4 minutes). `--slow-index` uses the
document builder story by story instead; `--wagtail` also fills and times Wagtail's own
database search index.

Then it times each query of QUERIES (broad words, several words, typos and words typed
together that forgiving search rewrites, filters, sorting and deep pages) through the JSON
API `/api/search/` with Django's test client — the whole reader search: vocabulary,
forgiving steps, 20 hits with snippets, six facets — warm, `--repeat` times, and prints
median, p95 and p99 per class, with the load average (the machine is shared).
"""

import argparse
import collections
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def _vocabulary():
    from newsroom.demo import content

    texts = [s[3] for s in content.STORIES] + [s[4] for s in content.STORIES]
    texts += content.PARAGRAPHS + [q for q, _ in content.QUOTES]
    return texts


def _sentence(rng, texts, words=25):
    pool = rng.choice(texts).split()
    start = rng.randrange(max(1, len(pool) - 8))
    out = pool[start : start + 8]
    while len(out) < words:
        pool = rng.choice(texts).split()
        start = rng.randrange(max(1, len(pool) - 6))
        out += pool[start : start + 6]
    return " ".join(out[:words])


def _sections():
    """Every section of the three demo outlets with a share of the generated stories: the
    daily paper most, then radio/TV, then the magazine (as the demo's own mix)."""
    from newsroom.models import SectionPage

    shares = {"baothanhhoa": 60, "ptth": 25, "vannghe": 15}
    out = []
    for home_slug, share in shares.items():
        sections = list(SectionPage.objects.filter(url_path__startswith=f"/{home_slug}/"))
        out += [(section, share / len(sections)) for section in sections]
    return out


def generate(n: int, seed: int = 7, years: int = 8) -> list[int]:
    """Create n live StoryPages (bulk SQL, correct tree paths) spread over every section
    of the three outlets, published over the last `years` years, each with its place and
    one to three of the demo's tags; return their ids."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag
    from wagtail.models import Locale, Page

    from newsroom.models import Place, StoryPage, StoryTag

    rng = random.Random(seed)
    texts = _vocabulary()
    places = list(Place.objects.all())
    tags = list(Tag.objects.filter(newsroom_storytag_items__isnull=False).distinct())
    sections = _sections()
    ct = ContentType.objects.get_for_model(StoryPage)
    locale = Locale.get_default()
    formats = ["text", "text", "text", "radio", "tv", "multimedia", "longform"]
    steplen, alphabet = Page.steplen, Page.alphabet
    # Children numbered clear of the existing ones, per section.
    next_child = {s.pk: s.numchild + 1000 for s, _ in sections}
    added = collections.Counter()

    def step(i):
        digits = ""
        for _ in range(steplen):
            i, r = divmod(i, len(alphabet))
            digits = alphabet[r] + digits
        return digits

    ids = []
    now = timezone.now()
    spacing = timezone.timedelta(days=365 * years) / max(n, 1)
    for batch_start in range(0, n, 1000):
        pages, stories = [], []
        for i in range(batch_start, min(n, batch_start + 1000)):
            section = rng.choices([s for s, _ in sections], [w for _, w in sections])[0]
            place = rng.choice(places)
            headline = f"{_sentence(rng, texts, rng.randint(7, 12))} ở {place.name}"
            slug = f"bench-{i}-{uuid.uuid4().hex[:6]}"
            published = now - spacing * i - timezone.timedelta(seconds=rng.randrange(3600))
            child = next_child[section.pk]
            next_child[section.pk] += 1
            added[section.pk] += 1
            pages.append(
                Page(
                    content_type=ct,
                    path=section.path + step(child),
                    depth=section.depth + 1,
                    numchild=0,
                    title=headline[:255],
                    draft_title=headline[:255],
                    slug=slug,
                    url_path=f"{section.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    locale=locale,
                    translation_key=uuid.uuid4(),
                )
            )
            body = [
                {
                    "type": "paragraph",
                    "value": f"<p>{_sentence(rng, texts, 60)}</p>",
                    "id": str(uuid.uuid4()),
                }
                for _ in range(rng.randint(3, 6))
            ]
            stories.append(
                dict(
                    standfirst=_sentence(rng, texts, 30),
                    body=body,
                    primary_format=rng.choice(formats),
                    place=place,
                    access_level="free",
                    _tags=rng.sample(tags, rng.randint(1, 3)) if tags else [],
                )
            )
        with transaction.atomic():
            created = Page.objects.bulk_create(pages)
            objs, tag_rows = [], []
            for page, extra in zip(created, stories, strict=True):
                story_tags = extra.pop("_tags")
                story = StoryPage(
                    page_ptr_id=page.pk, **{k: v for k, v in extra.items() if k != "body"}
                )
                story.body = extra["body"]
                story.__dict__.update(
                    {
                        f.attname: getattr(page, f.attname)
                        for f in Page._meta.concrete_fields
                        if f.attname != "id"
                    }
                )
                objs.append(story)
                tag_rows += [StoryTag(content_object_id=page.pk, tag=t) for t in story_tags]
            fields = StoryPage._meta.local_concrete_fields
            StoryPage._base_manager._insert(objs, fields=fields, raw=True)
            StoryTag.objects.bulk_create(tag_rows)
            ids += [p.pk for p in created]
        print(f"\rgenerated {len(ids)}/{n} pages", end="", flush=True)
    for section, _ in sections:
        Page.objects.filter(pk=section.pk).update(numchild=section.numchild + added[section.pk])
    print()
    return ids


def index_wagtail(ids):
    from wagtail.search.backends import get_search_backend

    from newsroom.models import StoryPage

    backend = get_search_backend()
    for i in range(0, len(ids), 1000):
        objs = list(StoryPage.objects.filter(pk__in=ids[i : i + 1000]))
        backend.add_bulk(StoryPage, objs)
        print(f"\rwagtail index {min(i + 1000, len(ids))}/{len(ids)}", end="", flush=True)
    print()


def index_ours(ids):
    """Our index rows through the document builder, story by story (slow; `--slow-index`)."""
    from newsroom.models import StoryPage
    from search.models import StoryIndex, StoryIndexTag
    from search.services import search_terms_rebuild, story_index_document

    for i in range(0, len(ids), 1000):
        rows, tags = [], []
        for story in StoryPage.objects.filter(pk__in=ids[i : i + 1000]).select_related("place"):
            doc = story_index_document(story=story)
            tags.append(doc.pop("_tags"))
            rows.append(StoryIndex(page_id=story.pk, **doc))
        with transaction.atomic():
            created = StoryIndex.objects.bulk_create(rows)
            StoryIndexTag.objects.bulk_create(
                [
                    StoryIndexTag(story=r, slug=s, name=n)
                    for r, t in zip(created, tags, strict=True)
                    for s, n in t
                ]
            )
        print(f"\rour index {min(i + 1000, len(ids))}/{len(ids)}", end="", flush=True)
    print()
    print(f"vocabulary: {search_terms_rebuild()} words")
    _vacuum()


# The same row as `search.services.story_index_document` for a generated story (free, so
# the whole body is public; paragraphs only), built in SQL: per section, what the document
# builder says of one story there (site, outlet, agency, section, address prefix).
FAST_INDEX_SQL = """
INSERT INTO search_storyindex (page_id, site_id, outlet_id, outlet_name, agency_id, section_id,
    section_title, url, headline, standfirst, body, primary_format, access_level, published_at,
    year, place_id, place_name, keywords, tag_slugs, search_exact, search_folded, indexed_at)
SELECT p.id, m.site_id, m.outlet_id, m.outlet_name, m.agency_id, m.section_id, m.section_title,
    m.prefix || p.slug || '/', left(p.title, 255), s.standfirst,
    coalesce((SELECT string_agg(btrim(regexp_replace(b->>'value', '<[^>]+>', ' ', 'g')),
                                E'\n\n' ORDER BY n)
       FROM jsonb_array_elements(s.body) WITH ORDINALITY AS e(b, n)
       WHERE b->>'type' = 'paragraph'), ''),
    s.primary_format, s.access_level, p.first_published_at,
    extract(year FROM p.first_published_at AT TIME ZONE 'Asia/Ho_Chi_Minh'),
    s.place_id, coalesce(pl.name, ''), concat_ws(' ', tg.names, pl.name), coalesce(tg.slugs, ''),
    '', '', now()
FROM wagtailcore_page p JOIN newsroom_storypage s ON s.page_ptr_id = p.id
JOIN jsonb_to_recordset(%s::jsonb) AS m(parent_path text, site_id int, outlet_id int,
    outlet_name text, agency_id int, section_id int, section_title text, prefix text)
  ON m.parent_path = left(p.path, -4)
LEFT JOIN newsroom_place pl ON pl.id = s.place_id
LEFT JOIN LATERAL (SELECT string_agg(t.name, ' ') AS names, string_agg(t.slug, ' ') AS slugs
    FROM newsroom_storytag st
    JOIN taggit_tag t ON t.id = st.tag_id WHERE st.content_object_id = p.id) tg ON true
WHERE p.id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM search_storyindex i WHERE i.page_id = p.id)
"""

FAST_TAGS_SQL = """
INSERT INTO search_storyindextag (story_id, slug, name)
SELECT i.id, t.slug, t.name FROM search_storyindex i
JOIN newsroom_storytag st ON st.content_object_id = i.page_id
JOIN taggit_tag t ON t.id = st.tag_id
WHERE i.page_id = ANY(%s)
ON CONFLICT DO NOTHING
"""


def _section_rows(ids) -> list[dict]:
    """What the document builder gives, per section, of a generated story there."""
    from wagtail.models import Page

    from newsroom.models import StoryPage
    from search.services import story_index_document

    rows = []
    seen = set()
    parents = (
        Page.objects.filter(pk__in=ids)
        .extra(select={"parent_path": "left(path, -4)"})
        .values_list("parent_path", flat=True)
        .distinct()
    )
    for parent_path in parents:
        if parent_path in seen:
            continue
        seen.add(parent_path)
        story = StoryPage.objects.filter(
            path__startswith=parent_path, depth=len(parent_path) // 4 + 1
        ).first()
        doc = story_index_document(story=story)
        rows.append(
            {
                "parent_path": parent_path,
                **{k: doc[k] for k in ("site_id", "outlet_id", "outlet_name", "agency_id")},
                **{k: doc[k] for k in ("section_id", "section_title")},
                "prefix": doc["url"][: -len(story.slug) - 1],
            }
        )
    return rows


def index_ours_sql(ids):
    """Our index rows for generated stories in one INSERT … SELECT (PostgreSQL): the same
    text as the document builder (headline, standfirst, paragraphs, tags and place) at a
    fraction of the time. The SQLite-only word columns stay empty (PostgreSQL never reads
    them). A sample is checked against the document builder."""
    import json

    from search.services import search_terms_rebuild

    with connection.cursor() as cursor:
        cursor.execute(FAST_INDEX_SQL, [json.dumps(_section_rows(ids)), ids])
        print(f"our index (SQL): {cursor.rowcount} rows")
        cursor.execute(FAST_TAGS_SQL, [ids])
        print(f"our index tags (SQL): {cursor.rowcount} rows")
    _check_sample(ids)
    print(f"vocabulary: {search_terms_rebuild()} words")
    _vacuum()


def _check_sample(ids, n=20):
    """The SQL rows say what the document builder would: same words, same scope."""
    from newsroom.models import StoryPage
    from search.folding import tokens
    from search.models import StoryIndex
    from search.services import story_index_document

    rng = random.Random(1)
    for page_id in rng.sample(ids, min(n, len(ids))):
        doc = story_index_document(story=StoryPage.objects.get(pk=page_id))
        row = StoryIndex.objects.get(page_id=page_id)
        for key in ("site_id", "outlet_id", "section_id", "url", "headline", "year", "place_id"):
            if getattr(row, key) != doc[key]:
                sys.exit(
                    f"index check: story {page_id} {key}: {getattr(row, key)!r} != {doc[key]!r}"
                )
        for key in ("standfirst", "body", "keywords"):
            if sorted(tokens(getattr(row, key))) != sorted(tokens(doc[key])):
                sys.exit(f"index check: story {page_id} {key} differs from the document builder")
    print(f"index check: {min(n, len(ids))} stories as the document builder makes them")


def _vacuum():
    # As autovacuum leaves a table at rest: statistics and the visibility map.
    with connection.cursor() as cursor:
        for table in ("search_storyindex", "search_storyindextag", "search_searchterm"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


def percentile(values, share):
    """Nearest-rank percentile (p95 of 60 samples: the 57th)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * share // 100) - 1)]


def explain(path):
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT one API request runs, in place (inside the
    request's transaction, with its SET LOCAL settings), then the statement itself."""
    from django.test import Client

    plans = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().startswith(("SELECT", "WITH")) and not many:
            with context["connection"].connection.cursor() as cursor:
                t0 = time.perf_counter()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                rows = [r[0] for r in cursor.fetchall()]
                plans.append(((time.perf_counter() - t0) * 1000, sql, rows))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        Client().get(path, HTTP_HOST="localhost")
    print(f"\n{path}: {len(plans)} SELECTs, {sum(p[0] for p in plans):.0f} ms explained")
    for ms, sql, rows in sorted(plans, key=lambda p: -p[0])[:4]:
        print(f"\n-- {ms:.0f} ms: {sql[:400]}")
        print("\n".join(rows))


# (class, query string of /api/search/): the reader API on the default outlet (Báo Thanh
# Hóa, 60 % of the stories) unless `pham_vi=tat-ca` (every outlet).
QUERIES = [
    ("broad", "q=thanh+hóa"),
    ("broad", "q=thanh+hoa&pham_vi=tat-ca"),
    ("broad", "q=xã"),
    ("broad", "q=xa&pham_vi=tat-ca"),
    ("broad", "q=bão"),
    ("broad", "q=nguoi+dan"),
    ("broad", "q=người+dân&pham_vi=tat-ca"),
    ("broad", "q=phát+triển"),
    ("multiword", "q=thanh+hoa+chuyen+doi+so"),
    ("multiword", "q=Thanh+Hóa+chuyển+đổi+số&pham_vi=tat-ca"),
    ("multiword", "q=bao+so+3"),
    ("multiword", "q=dịch+vụ+công"),
    ("multiword", "q=di+san+van+hoa"),
    ("multiword", "q=toa+soan+hoi+tu&pham_vi=tat-ca"),
    ("multiword", "q=mien+nui"),
    ("multiword", "q=Quan+Sơn"),
    ("multiword", "q=xa+bien+gioi"),
    ("forgiving", "q=chuyn+doi+so"),
    ("forgiving", "q=lam+kihn"),
    ("forgiving", "q=thanhhoa+chuyen+doi+so"),
    ("forgiving", "q=du+lich+bien+sam+son+mua+he+unesco+2025"),
    ("forgiving", "q=le+hoi+lam+kinh+xyzqw"),
    ("filtered", "q=thanh+hóa&year=2024"),
    ("filtered", "q=xa&sort=newest&pham_vi=tat-ca"),
    ("filtered", "q=bão&format=tv"),
    ("filtered", "q=nguoi+dan&page=40"),
    ("filtered", "q=xa&tag=du-l%E1%BB%8Bch"),
    ("filtered", "q="),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--index-missing",
        action="store_true",
        help="index generated stories not in our index yet, in SQL (after an interrupted run)",
    )
    parser.add_argument(
        "--slow-index",
        action="store_true",
        help="index through the document builder story by story, not in one SQL statement",
    )
    parser.add_argument(
        "--wagtail", action="store_true", help="also index and time Wagtail's own search (slow)"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    parser.add_argument("--only", help="only the queries of this class")
    parser.add_argument(
        "--rank-window", type=int, help="SEARCH_RANK_WINDOW for this run (default: the code's)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL to a scratch database.")
    if args.rank_window:
        from django.conf import settings

        settings.SEARCH_RANK_WINDOW = args.rank_window

    call_command("migrate", verbosity=0)
    call_command("load_initial_data", "--once", verbosity=0)
    from django.test import Client

    from newsroom.models import StoryPage

    if args.index_missing:
        from search.models import StoryIndex

        indexed = StoryIndex.objects.values_list("page_id", flat=True)
        missing = StoryPage.objects.exclude(pk__in=indexed).order_by("pk")
        t0 = time.perf_counter()
        index_ours_sql(list(missing.values_list("pk", flat=True)))
        print(f"our index: {time.perf_counter() - t0:.0f} s")
    elif not args.skip_generate:
        t0 = time.perf_counter()
        ids = generate(args.stories)
        print(f"pages: {time.perf_counter() - t0:.0f} s")
        if args.wagtail:
            t0 = time.perf_counter()
            index_wagtail(ids)
            print(f"wagtail index: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        (index_ours if args.slow_index else index_ours_sql)(ids)
        print(f"our index: {time.perf_counter() - t0:.0f} s")

    total = StoryPage.objects.live().count()
    client = Client()
    queries = [(c, q) for c, q in QUERIES if not args.only or c == args.only]
    if args.explain:
        for _cls, q in queries:
            explain(f"/api/search/?{q}")
        return
    print(f"\n{total} live stories. {args.repeat} warm runs per query. load {os.getloadavg()}\n")
    by_class: dict[str, list[float]] = collections.defaultdict(list)
    print(f"{'class':10} {'query':44} {'total':>7}  median / max ms")
    for cls, q in queries:
        path = f"/api/search/?{q}"

        def get(path=path):
            response = client.get(path, HTTP_HOST="localhost")
            assert response.status_code == 200, response.status_code
            return response.json()

        get()  # warm-up
        values, data = timed(get, args.repeat)
        by_class[cls] += values
        by_class["all"] += values
        forgiven = "*" if data["corrected"] or data["relaxed"] or data["widened"] else ""
        print(
            f"{cls:10} {q[:44]:44} {data['total']:7}{forgiven:1} "
            f"{statistics.median(values):7.0f} / {max(values):5.0f}"
        )
    if args.wagtail:
        wagtail_values = []
        for _cls, q in queries:
            words = q.split("&")[0][2:].replace("+", " ")
            values, _ = timed(
                lambda w=words: list(StoryPage.objects.live().search(w)[:20]), args.repeat
            )
            wagtail_values += values
        by_class["wagtail database (20 hits only)"] = wagtail_values
    print(f"\n{'class':32} {'n':>4} {'median':>8} {'p95':>8} {'p99':>8}  (ms)")
    for cls, values in by_class.items():
        print(
            f"{cls:32} {len(values):4} {statistics.median(values):8.0f} "
            f"{percentile(values, 95):8.0f} {percentile(values, 99):8.0f}"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
