"""Search latency on generated Vietnamese stories: our index vs Wagtail's own database
search backend, on the same data in the same run. A benchmark, not a test: run by hand.

    createdb -h 127.0.0.1 -U postgres hoitu_search_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_search_bench \\
        .venv/bin/python bench/search_latency.py --stories 100000

It migrates the database, loads the demo newsroom, then generates N stories from the demo's
Vietnamese text and the 166 commune names: real Wagtail StoryPage rows (bulk-inserted
under one section, with correct tree paths, not through the page editor), Wagtail's
search index for them (`backend.add_bulk`), and our `search.StoryIndex` rows (bulk-insert,
the same text). Then it times each query, warm, through `search.selectors.story_search`
(hits + snippets + six facets + suggestion: the whole API), through our backend's hits
only, and through Wagtail's `StoryPage.objects.live().search(q)[:20]`, and prints median
and p95 per engine. Wagtail's backend does not fold diacritics, so "khong dau" queries find
little there: the hit counts are printed too.
"""

import argparse
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

QUERIES = [
    "thanh hoa chuyen doi so",
    "Thanh Hóa chuyển đổi số",
    "bão",
    "bao so 3",
    "mien nui",
    "dịch vụ công",
    "nguoi dan",
    "toa soan hoi tu",
    "di san van hoa",
    "Quan Sơn",
    "xa bien gioi",
    "chuyn doi so",
]


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


def generate(n: int, seed: int = 7) -> list[int]:
    """Create n live StoryPages (bulk), return their ids."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    from newsroom.models import Place, SectionPage, StoryPage

    rng = random.Random(seed)
    texts = _vocabulary()
    places = list(Place.objects.all())
    section = SectionPage.objects.get(slug="thoi-su", url_path__startswith="/baothanhhoa/")
    ct = ContentType.objects.get_for_model(StoryPage)
    locale = Locale.get_default()
    formats = ["text", "text", "text", "radio", "tv", "multimedia", "longform"]
    steplen, alphabet = Page.steplen, Page.alphabet
    start = section.numchild + 1000  # clear of existing children

    def step(i):
        digits = ""
        for _ in range(steplen):
            i, r = divmod(i, len(alphabet))
            digits = alphabet[r] + digits
        return digits

    ids = []
    now = timezone.now()
    for batch_start in range(0, n, 1000):
        pages, stories = [], []
        for i in range(batch_start, min(n, batch_start + 1000)):
            place = rng.choice(places)
            headline = f"{_sentence(rng, texts, rng.randint(7, 12))} ở {place.name}"
            slug = f"bench-{i}-{uuid.uuid4().hex[:6]}"
            published = now - timezone.timedelta(minutes=i * 7)
            pages.append(
                Page(
                    content_type=ct,
                    path=section.path + step(start + i),
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
                for _ in range(rng.randint(2, 4))
            ]
            stories.append(
                dict(
                    standfirst=_sentence(rng, texts, 30),
                    body=body,
                    primary_format=rng.choice(formats),
                    place=place,
                    access_level="free",
                )
            )
        with transaction.atomic():
            created = Page.objects.bulk_create(pages)
            objs = []
            for page, extra in zip(created, stories, strict=True):
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
            fields = StoryPage._meta.local_concrete_fields
            StoryPage._base_manager._insert(objs, fields=fields, raw=True)
            ids += [p.pk for p in created]
        print(f"\rgenerated {len(ids)}/{n} pages", end="", flush=True)
    Page.objects.filter(pk=section.pk).update(numchild=section.numchild + n)
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
    """Bulk-insert our index rows from the same pages (the document builder, not signals)."""
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


FAST_INDEX_SQL = """
INSERT INTO search_storyindex (page_id, site_id, outlet_id, outlet_name, agency_id, section_id,
    section_title, url, headline, standfirst, body, primary_format, access_level, published_at,
    year, place_id, place_name, keywords, search_exact, search_folded, indexed_at)
SELECT p.id, t.site_id, t.outlet_id, t.outlet_name, t.agency_id, t.section_id, t.section_title,
    '/thoi-su/' || p.slug || '/', left(p.title, 255), s.standfirst,
    (SELECT string_agg(regexp_replace(b->>'value', '<[^>]+>', '', 'g'), E'\\n')
       FROM jsonb_array_elements(s.body) b WHERE b->>'type' = 'paragraph'),
    s.primary_format, s.access_level, p.first_published_at,
    extract(year FROM p.first_published_at AT TIME ZONE 'Asia/Ho_Chi_Minh'),
    s.place_id, coalesce(pl.name, ''), coalesce(pl.name, ''), '', '', now()
FROM wagtailcore_page p JOIN newsroom_storypage s ON s.page_ptr_id = p.id
LEFT JOIN newsroom_place pl ON pl.id = s.place_id
CROSS JOIN (SELECT * FROM search_storyindex WHERE url LIKE '/thoi-su/%%' LIMIT 1) t
WHERE p.id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM search_storyindex i WHERE i.page_id = p.id)
"""


def index_ours_sql(ids):
    """Our index rows for generated stories in one INSERT … SELECT (PostgreSQL): the same
    text as the document builder (headline, standfirst, paragraphs, place) at a fraction of
    the time on a busy machine. The SQLite-only word columns stay empty (unused here)."""
    from search.services import search_terms_rebuild

    with connection.cursor() as cursor:
        cursor.execute(FAST_INDEX_SQL, [ids])
        print(f"our index (SQL): {cursor.rowcount} rows")
    print(f"vocabulary: {search_terms_rebuild()} words")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out, result


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
        "--no-wagtail", action="store_true", help="skip Wagtail's index and timings (faster)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL to a scratch database.")

    call_command("migrate", verbosity=0)
    call_command("load_initial_data", "--once", verbosity=0)
    from newsroom.models import StoryPage
    from search.backends.database import (
        DatabaseBackend,
        _text_indexes,
        filtered,
        matching,
        ranked,
    )
    from search.query import clean_request
    from search.selectors import story_search

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
        if not args.no_wagtail:
            t0 = time.perf_counter()
            index_wagtail(ids)
            print(f"wagtail index: {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        index_ours(ids)
        print(f"our index: {time.perf_counter() - t0:.0f} s")

    total = StoryPage.objects.live().count()
    print(f"\n{total} live stories. {args.repeat} warm runs per query.\n")
    engines = {"ours (full API)": [], "ours (hits only)": [], "wagtail database": []}
    print(f"{'query':28} {'ours hits':>9} {'wagtail hits':>12}  ms ours full / hits / wagtail")
    for q in QUERIES:
        story_search(query=q)  # warm-up
        full, result = timed(lambda q=q: story_search(query=q, per_page=20), args.repeat)

        def hits_only(q=q):
            req, _ = clean_request(query=q, filters={}, sort="relevance", page=1, per_page=20)
            with transaction.atomic(), _text_indexes(req):
                qs = ranked(matching(filtered(req), req), req).order_by("-score", "-published_at")
                return list(qs[:20])

        hits, _ = timed(hits_only, args.repeat)

        def wagtail(q=q):
            results = StoryPage.objects.live().search(q)
            return list(results[:20]), results.count()

        wag, (_, wag_count) = timed(wagtail, args.repeat)
        engines["ours (full API)"] += full
        engines["ours (hits only)"] += hits
        engines["wagtail database"] += wag
        print(
            f"{q[:28]:28} {result.total:9} {wag_count:12}  "
            f"{statistics.median(full):.1f} / {statistics.median(hits):.1f} / {statistics.median(wag):.1f}"
        )
    print()
    for name, values in engines.items():
        if not values:
            continue
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{name:18} median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms")
    print(f"(backend: {DatabaseBackend.name}; {len(QUERIES)} queries x {args.repeat})")


if __name__ == "__main__":
    main()
