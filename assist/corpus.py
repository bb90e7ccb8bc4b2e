"""What the suggestions learn from: an outlet's indexed stories (`search.StoryIndex`, the
published, public text only), as a TF-IDF matrix over folded syllables and syllable pairs
(a Vietnamese word is one to three syllables: pairs stand in for the two-syllable words).

Built in the process on first use and kept until the outlet's index changes (a count and
the newest `indexed_at`, one small query per suggestion), so nothing is downloaded and no
model file is shipped: the model is the outlet's own archive."""

import logging
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from sklearn.feature_extraction.text import TfidfVectorizer

from search.folding import fold, normalize
from search.models import StoryIndex, StoryIndexTag

from .text import WORD_RE, fast_fold


@dataclass
class Doc:
    page_id: int
    section_id: int | None
    headline: str
    url: str
    published_at: object
    tags: list[str]


@dataclass
class OutletCorpus:
    docs: list[Doc]
    vectorizer: TfidfVectorizer | None
    matrix: object  # scipy sparse, one L2-normalised row per doc
    tag_uses: Counter = field(default_factory=Counter)  # tag name → stories carrying it

    def vector(self, text: str):
        return self.vectorizer.transform([text]) if self.vectorizer is not None else None

    def similar(self, text: str, *, exclude: int | None = None, limit: int = 10):
        """(similarity, doc) of the most similar stories, best first."""
        if self.vectorizer is None or not self.docs:
            return []
        scores = (self.matrix @ self.vector(text).T).toarray().ravel()
        order = scores.argsort()[::-1]
        out = []
        for i in order:
            if scores[i] <= 0 or len(out) >= limit:
                break
            if self.docs[i].page_id != exclude:
                out.append((float(scores[i]), self.docs[i]))
        return out


def analyzer(text: str) -> list[str]:
    words = WORD_RE.findall(fast_fold(text))
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


logger = logging.getLogger(__name__)
# The start of a body is enough to learn how the newsroom writes its words.
PAIR_BODY_CHARS = 3000
_lock = threading.Lock()
_outlets: dict[int, tuple[tuple, OutletCorpus]] = {}
_pairs: dict[str, tuple[tuple, dict]] = {}


def _signature(rows) -> tuple:
    agg = rows.aggregate(n=Count("id"), last=Max("indexed_at"))
    return (agg["n"], agg["last"])


_rebuilding: set = set()


def _cached(cache: dict, key, signature, build):
    """The cached build while the index is unchanged. Once it changes, the old build keeps
    serving while one thread builds the new one (ASSIST_CORPUS_REFRESH_IN_BACKGROUND; a
    rebuild over 3,000 stories costs seconds, bench/assist_suggestions.py --archive): only
    the first request of a process waits."""
    cached = cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]

    def rebuild():
        try:
            value = build()
            with _lock:
                cache[key] = (signature, value)
            return value
        finally:
            _rebuilding.discard((id(cache), key))

    if cached is None or not settings.ASSIST_CORPUS_REFRESH_IN_BACKGROUND:
        return rebuild()
    with _lock:
        if (id(cache), key) in _rebuilding:
            return cached[1]
        _rebuilding.add((id(cache), key))
    threading.Thread(target=_in_thread, args=(rebuild,), daemon=True).start()
    return cached[1]


def _in_thread(rebuild):
    from django.db import connection

    try:
        rebuild()
    except Exception:  # the old build keeps serving; the next request tries again
        logger.exception("assist: corpus rebuild failed")
    finally:
        connection.close()  # this thread's own connection


def outlet_corpus(outlet_id: int) -> OutletCorpus:
    rows = StoryIndex.objects.filter(outlet_id=outlet_id)
    return _cached(_outlets, outlet_id, _signature(rows), lambda: _build(rows))


def _build(rows) -> OutletCorpus:
    newest = list(
        rows.order_by("-published_at").values(
            "id",
            "page_id",
            "section_id",
            "headline",
            "url",
            "published_at",
            "standfirst",
            "body",
            "keywords",
        )[: settings.ASSIST_CORPUS_STORIES]
    )
    tags = defaultdict(list)
    for story_id, name in StoryIndexTag.objects.filter(
        story_id__in=[r["id"] for r in newest]
    ).values_list("story_id", "name"):
        tags[story_id].append(name)
    docs = [
        Doc(
            r["page_id"],
            r["section_id"],
            r["headline"],
            r["url"],
            r["published_at"],
            sorted(tags[r["id"]]),
        )
        for r in newest
    ]
    if not docs:
        return OutletCorpus([], None, None)
    # The headline and standfirst count twice: they say what the story is about.
    texts = [" ".join([r["headline"]] * 2 + [r["standfirst"]] * 2 + [r["body"]]) for r in newest]
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(texts)
    return OutletCorpus(docs, vectorizer, matrix, Counter(n for doc in docs for n in doc.tags))


def marked_pairs() -> dict[str, Counter]:
    """Folded syllable pair → how each written form of it occurs in the newest indexed
    stories of every outlet ("thanh hoa" → {"thanh hóa": 812, "thanh hoa": 1}): what
    tells a pair typed without tone marks from a word that has none."""
    rows = StoryIndex.objects.all()
    return _cached(_pairs, "all", _signature(rows), lambda: _pairs_build(rows))


def _pairs_build(rows) -> dict[str, Counter]:
    seen: Counter = Counter()  # (folded pair, written pair) → uses
    texts = rows.order_by("-published_at").values_list("headline", "standfirst", "body")[
        : settings.ASSIST_CORPUS_STORIES
    ]
    for headline, standfirst, body in texts:
        text = normalize(f"{headline}\n{standfirst}\n{body[:PAIR_BODY_CHARS]}").lower()
        words = WORD_RE.findall(text)
        folded = WORD_RE.findall(fast_fold(text))
        if len(folded) != len(words):  # a letter outside the table: fold one by one
            folded = [fold(w) for w in words]
        seen.update(
            zip(
                map(" ".join, zip(folded, folded[1:], strict=False)),
                map(" ".join, zip(words, words[1:], strict=False)),
                strict=False,
            )
        )
    # A pair seen fewer times than the spelling check asks for can never be flagged: kept,
    # it would only cost memory in every worker (most pairs of an archive are seen once).
    from .suggesters import PAIR_MIN_USES

    totals: Counter = Counter()
    for (pair, _), uses in seen.items():
        totals[pair] += uses
    table: dict[str, Counter] = defaultdict(Counter)
    for (pair, written), uses in seen.items():
        if totals[pair] >= PAIR_MIN_USES:
            table[pair][written] = uses
    return table
