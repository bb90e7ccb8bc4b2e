"""The vocabulary of indexed words (`search.SearchTerm`) and what search does with it when
a reader's words are not in it: split words typed together and correct typos.

- Run-together words are split into known words: "samson" → "sam son", "thanhhoa" →
  "thanh hoa", "so3" → "so 3" (letters and digits apart first). Fewest pieces win, then
  the most frequent.
- A word of four letters or more that is still unknown is corrected to the closest known
  word: optimal string alignment distance (a swap of two letters is one edit) at most 1
  for four or five letters, 2 from six. Candidates come from PostgreSQL's trigram index
  on the vocabulary, or, on SQLite, from a length-bucketed copy of the vocabulary held in
  the process; both are ranked by the same rule in Python, so every backend corrects
  alike: distance, then a swap before another edit (same letters), then Jaro-Winkler
  similarity (a doubled letter "sonn" is "son", not "song"), then frequency.
- Several candidates per word are kept: the search tries the combinations in that order
  and keeps the first that finds stories (`search.selectors`).

Corrected words are folded (no diacritics) unless one written form of the word dominates
the vocabulary: "pu loung" becomes "pu luong", which finds "Pù Luông" without ranking
"lượng" as an exact-diacritics match.
"""

import itertools
import re
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from rapidfuzz.distance import OSA, JaroWinkler

from .folding import fold

TYPO_MIN_LETTERS = 4
MAX_CANDIDATES = 3  # per word
MAX_COMBINATIONS = 6
SPLIT_MAX_CHARS = 40
PIECE_MIN, PIECE_MAX = 2, 12
# A written form used this share of the time stands for the folded word.
DOMINANT_SHARE = 0.8
VERSION_KEY = "search:vocabulary:version"
_DIGITS_RE = re.compile(r"\d+|\D+")

# Function words a relaxed search drops (folded: readers type them either way). Only for
# the relaxed search, never for the search of all the reader's words.
STOP_WORDS = frozenset(
    """o va cua la cac nhung cho voi tai trong tren den tu mot nay do thi khi de duoc bi
    nhu ve vao ra rang cung da dang se con hay hoac nen neu ma""".split()
)


def max_distance(folded_word: str) -> int:
    if len(folded_word) < TYPO_MIN_LETTERS:
        return 0
    return 1 if len(folded_word) <= 5 else 2


@dataclass(frozen=True)
class Term:
    folded: str
    word: str  # the written form to show (and search with)
    frequency: int


def terms_for(folded_words) -> dict[str, Term]:
    """Known folded words among `folded_words`, each with the form to write it in."""
    from .models import SearchTerm

    rows = SearchTerm.objects.filter(folded__in=set(folded_words)).values_list(
        "folded", "word", "frequency"
    )
    forms: dict[str, list[tuple[str, int]]] = {}
    for folded, word, frequency in rows:
        forms.setdefault(folded, []).append((word, frequency))
    return {f: _term(f, w) for f, w in forms.items()}


def _term(folded: str, forms: list[tuple[str, int]]) -> Term:
    total = sum(n for _, n in forms)
    word, top = max(forms, key=lambda wf: (wf[1], wf[0] == folded))
    return Term(folded, word if top >= DOMINANT_SHARE * total else folded, total)


def split(folded_word: str, known) -> list[str] | None:
    """`folded_word` as known words typed together, or None. `known(pieces)` answers which
    of the pieces are in the vocabulary (one query for all of them)."""
    parts = _DIGITS_RE.findall(folded_word)
    if len(folded_word) > SPLIT_MAX_CHARS:
        return None
    letters = [p for p in parts if not p.isdigit()]
    pieces = {
        p[i:j]
        for p in letters
        for i in range(len(p))
        for j in range(i + PIECE_MIN, min(len(p), i + PIECE_MAX) + 1)
    }
    vocabulary = known(pieces) if pieces else {}
    out: list[str] = []
    for part in parts:
        if part.isdigit() or part in vocabulary:
            out.append(part)
            continue
        best = _segment(part, vocabulary)
        if best is None:
            return None
        out.extend(best)
    return out if len(out) > 1 else None


def _segment(text: str, vocabulary: dict[str, Term]) -> list[str] | None:
    # best[i]: the best segmentation of text[:i] as (pieces, -sum of frequencies, words).
    best: list[tuple | None] = [None] * (len(text) + 1)
    best[0] = (0, 0, [])
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - PIECE_MAX), end - PIECE_MIN + 1):
            piece = text[start:end]
            if best[start] is None or piece not in vocabulary:
                continue
            n, cost, words = best[start]
            candidate = (n + 1, cost - vocabulary[piece].frequency, [*words, piece])
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    return best[-1][2] if best[-1] else None


def rank_candidates(folded_word: str, candidates) -> list[str]:
    """Known folded words within reach of `folded_word`, best first (see the module)."""
    limit = max_distance(folded_word)
    letters = sorted(folded_word)
    scored = []
    for folded, frequency in candidates:
        if folded == folded_word:
            continue
        distance = OSA.distance(folded_word, folded, score_cutoff=limit)
        if distance > limit:
            continue
        scored.append(
            (
                distance,
                sorted(folded) != letters,
                -JaroWinkler.similarity(folded_word, folded),
                -frequency,
                folded,
            )
        )
    scored.sort()
    return [s[-1] for s in scored[:MAX_CANDIDATES]]


def candidates(folded_word: str) -> list[str]:
    """Corrections of an unknown word of four letters or more, best first."""
    limit = max_distance(folded_word)
    if not limit or folded_word.isdigit():
        return []
    if connection.vendor == "postgresql":
        rows = _trigram_candidates(folded_word, limit)
    else:
        rows = _local_vocabulary().near(folded_word, limit)
    return rank_candidates(folded_word, rows)


def _trigram_candidates(folded_word: str, limit: int) -> list[tuple[str, int]]:
    # A low threshold: a swap in a short word ("kihn"/"kinh") shares few trigrams. The
    # index narrows, edit distance decides.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.15")
        cursor.execute(
            "SELECT folded, SUM(frequency) FROM search_searchterm "
            "WHERE folded %% %s AND length(folded) BETWEEN %s AND %s "
            "GROUP BY folded ORDER BY similarity(folded, %s) DESC LIMIT 200",
            [folded_word, len(folded_word) - limit, len(folded_word) + limit, folded_word],
        )
        return cursor.fetchall()


class LocalVocabulary:
    """The folded vocabulary in memory, bucketed by length (SQLite, `make run`)."""

    def __init__(self, rows):
        self.buckets: dict[int, dict[str, int]] = {}
        for folded, frequency in rows:
            bucket = self.buckets.setdefault(len(folded), {})
            bucket[folded] = bucket.get(folded, 0) + frequency

    def near(self, folded_word: str, limit: int) -> list[tuple[str, int]]:
        n = len(folded_word)
        return list(
            itertools.chain.from_iterable(
                self.buckets.get(length, {}).items() for length in range(n - limit, n + limit + 1)
            )
        )


_local = threading.local()


def _local_vocabulary() -> LocalVocabulary:
    """This process's copy, reloaded when the vocabulary has changed (a version number in
    the shared cache, bumped on every change)."""
    from .models import SearchTerm

    version = cache.get(VERSION_KEY, 0)
    held = getattr(_local, "vocabulary", None)
    if held is None or held[0] != version:
        rows = SearchTerm.objects.values_list("folded", "frequency").iterator(chunk_size=5000)
        held = (version, LocalVocabulary(rows))
        _local.vocabulary = held
    return held[1]


def changed() -> None:
    """Tell every process its copy is stale (after the vocabulary's transaction commits)."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, None)

    transaction.on_commit(bump)


@dataclass
class Rewrite:
    """What the vocabulary makes of a query's words."""

    words: list[str]
    # Per position: the words to try, best first (the word itself when it is known).
    options: list[list[str]]
    unknown: list[str]

    def combinations(self) -> list[list[str]]:
        """Corrected queries to try, best first (at most MAX_COMBINATIONS)."""
        combos = itertools.islice(itertools.product(*self.options), MAX_COMBINATIONS + 1)
        out = []
        for combo in combos:
            words = [w for option in combo for w in option.split()]
            if words != self.words:
                out.append(words)
        return out[:MAX_COMBINATIONS]


def rewrite(words: list[str]) -> Rewrite:
    """Splits and corrections for the words of a query that the vocabulary does not know."""
    folded = [fold(w) for w in words]
    known = terms_for(folded)
    options, unknown = [], []
    for word, f in zip(words, folded, strict=True):
        if f in known or f.isdigit() or len(f) < PIECE_MIN:
            options.append([word])
            continue
        unknown.append(word)
        pieces = split(f, terms_for)
        joined = []
        if pieces:
            forms = terms_for(pieces)
            joined = [" ".join(forms[p].word if p in forms else p for p in pieces)]
        found = candidates(f)
        forms = terms_for(found)
        corrected = [forms[c].word for c in found if c in forms]
        # One letter wrong ("loung", "loam") is likelier than a split into short words
        # ("lo ung", "lo am"); a longer run ("samson", "songma") is split first.
        if corrected and OSA.distance(f, found[0]) == 1:
            options.append(corrected + joined)
        else:
            options.append(joined + corrected or [word])
    return Rewrite(words=words, options=options, unknown=unknown)


def content_words(words: list[str]) -> list[str]:
    """The words a relaxed search keeps: stop words dropped (unless that leaves none)."""
    kept = [w for w in words if fold(w) not in STOP_WORDS]
    return kept or words


def relaxed_levels(n: int) -> list[int]:
    """How many of n words a relaxed search requires, tried in turn: most of them first
    (4 of 6), then one fewer down to half (3, then 2 of 4); one of two."""
    if n < 2:
        return []
    return list(range(n - 1, (n + 1) // 2 - 1, -1)) if n > 2 else [1]
