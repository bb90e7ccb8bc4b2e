"""Quality and speed of the editor's "Gợi ý AI" suggestions (run by hand, never in tests).

1. Tags: for each published demo story, its tags are hidden (the story is left out of
   the corpus and of the tag vocabulary, so a tag only it carries is unknown), the
   suggester reads its headline, standfirst and body, and its first five tags from the
   outlet's vocabulary are compared with the editors' own: precision and recall at 5,
   micro-averaged over all stories.
2. Communes: every sentence of tests/assist/data/commune_sentences.tsv; precision and
   recall of the communes found against those written there.
3. Latency: the whole suggestion set (`all_suggestions`, what the editor's endpoint
   computes) for each demo story, after one warm-up run; median and p95.
4. With `--archive N`: N index rows copied from the demo's (words shuffled, inside a
   transaction rolled back at the end) in one outlet, and the time to build that outlet's
   corpus and the syllable-pair table, what the first suggestion after a publish pays.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoitu_a \
        .venv/bin/python bench/assist_suggestions.py [--rounds 3]

The database needs the demo (`load_initial_data` is run first; it is idempotent).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = ROOT / "tests" / "assist" / "data" / "commune_sentences.tsv"


def read_sentences():
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("sentence\t"):
            continue
        sentence, _, expected = line.partition("\t")
        rows.append((sentence, {e.strip() for e in expected.split(";") if e.strip()}))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--archive", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("load_initial_data", verbosity=0)

    from assist import suggesters
    from assist.selectors import outlet_context
    from assist.suggesters import Draft
    from newsroom.models import Place, StoryPage
    from paywall.gating import blocks_text

    stories = list(StoryPage.objects.live().order_by("pk"))
    drafts = []
    for story in stories:
        draft = Draft(story.title, story.standfirst, blocks_text(story.body), page_id=story.pk)
        drafts.append((story, draft, set(story.tags.names())))

    # 1. Tags, precision and recall at 5: the list the reporter sees (the outlet's tags,
    # then new phrases), and the outlet's tags alone.
    counts = {"shown": [0, 0], "vocabulary": [0, 0]}
    wanted = known = 0
    for story, draft, truth in drafts:
        ctx = outlet_context(section=story.get_parent().specific, exclude_page_id=story.pk)
        ranked = suggesters.tags(draft, ctx)
        lists = {
            "shown": [t["value"] for t in ranked][:5],
            "vocabulary": [t["value"] for t in ranked if t["source"] == "vocabulary"][:5],
        }
        for key, top in lists.items():
            counts[key][0] += len(set(top) & truth)
            counts[key][1] += len(top)
        wanted += len(truth)
        known += len(truth & set(ctx.tag_names))
    print(
        f"tags: {len(drafts)} stories, {wanted} editors' tags, {known} of them used by "
        f"another story of the outlet (the most the vocabulary can find)"
    )
    for key, (hits, shown) in counts.items():
        print(
            f"  {key}: {shown} suggested, precision@5 {hits / max(shown, 1):.3f}  "
            f"recall@5 {hits / max(wanted, 1):.3f}"
        )

    # 2. Communes.
    from assist import places

    register = dict(Place.objects.values_list("name", "pk"))
    found_ok = found = expected_n = 0
    misses = []
    for sentence, expected in read_sentences():
        got = {hit.name for hit in places.find(sentence, register)}
        found_ok += len(got & expected)
        found += len(got)
        expected_n += len(expected)
        if got != expected:
            misses.append((sentence, sorted(expected), sorted(got)))
    print(f"communes: {len(read_sentences())} sentences, {expected_n} communes written")
    print(f"  precision {found_ok / max(found, 1):.3f}  recall {found_ok / max(expected_n, 1):.3f}")
    for sentence, expected, got in misses:
        print(f"  differs: {sentence[:70]}… expected {expected} got {got}")

    # 3. Latency of the whole set, as the endpoint computes it (context included).
    for story, draft, _ in drafts[:3]:  # warm-up: pyvi's model, the corpus, the pairs
        suggesters.all_suggestions(draft, outlet_context(section=story.get_parent().specific))
    timings = []
    for _ in range(args.rounds):
        for story, draft, _ in drafts:
            started = time.perf_counter()
            ctx = outlet_context(section=story.get_parent().specific, exclude_page_id=story.pk)
            suggesters.all_suggestions(draft, ctx)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    words = statistics.mean(len(d.text.split()) for _, d, _ in drafts)
    print(
        f"latency: {len(timings)} runs, {words:.0f} words per story on average: "
        f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms"
    )

    if args.archive:
        archive(args.archive)


def archive(n):
    import random

    from django.db import transaction

    from assist import corpus
    from search.models import StoryIndex

    rows = list(StoryIndex.objects.all())
    outlet_id = rows[0].outlet_id
    rng = random.Random(14)

    def shuffled(text):
        words = text.split()
        rng.shuffle(words)
        return " ".join(words)

    with transaction.atomic():
        copies = []
        for i in range(n):
            row = rows[i % len(rows)]
            copies.append(
                StoryIndex(
                    page_id=10_000_000 + i,
                    site_id=row.site_id,
                    outlet_id=outlet_id,
                    agency_id=row.agency_id,
                    section_id=row.section_id,
                    url=f"/bench/{i}/",
                    headline=shuffled(row.headline),
                    standfirst=shuffled(row.standfirst),
                    body=shuffled(row.body) * 3,
                    primary_format=row.primary_format,
                    access_level=row.access_level,
                    published_at=row.published_at,
                    year=row.year,
                )
            )
        StoryIndex.objects.bulk_create(copies, batch_size=500)
        corpus._outlets.clear()  # what a new process, or the first request after
        corpus._pairs.clear()  # ASSIST_CORPUS_REFRESH_SECONDS, pays
        started = time.perf_counter()
        built = corpus.outlet_corpus(outlet_id)
        outlet_s = time.perf_counter() - started
        started = time.perf_counter()
        pairs = corpus.marked_pairs()
        pairs_s = time.perf_counter() - started
        print(
            f"archive of {n} more stories: outlet corpus {len(built.docs)} stories, "
            f"{len(built.vectorizer.vocabulary_)} terms in {outlet_s:.1f} s; "
            f"syllable pairs {len(pairs)} kept in {pairs_s:.1f} s"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
