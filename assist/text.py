"""Vietnamese text helpers of the assistant: tone placement, sentences, whole-phrase
search in folded text. Folding itself is the search app's (`search.folding`)."""

import functools
import re
import unicodedata

from search.folding import fold, normalize

from .models import ToneStyle

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_PAIRS = {"oa", "oe", "uy"}
_VOWELS = set("aăâeêioôơuưy")
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_RE = re.compile(r"[^.!?…\n]+(?:[.!?…]+|$)", re.UNICODE)


def _clusters(word: str) -> list[str]:
    out: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and out:
            out[-1] += char
        else:
            out.append(char)
    return out


def styled(word: str, style: str) -> str:
    """`word` (one syllable) with its tone placed by the house style: "hoà" → "hòa" for
    FIRST, "thủy" → "thuỷ" for SECOND. A syllable not ending in oa/oe/uy (or "quy", where
    u belongs to the consonant) has one spelling and is returned as it is."""
    clusters = _clusters(normalize(word))
    if len(clusters) < 2:
        return word
    bases = [c[0].lower() for c in clusters]
    pair = bases[-2] + bases[-1]
    if pair not in _PAIRS or (len(bases) >= 3 and bases[-3] in _VOWELS | {"q"}):
        return word
    tone = next((m for c in clusters[-2:] for m in c[1:] if m in _TONES), None)
    if tone is None:
        return word
    stripped = [c[0] + "".join(m for m in c[1:] if m not in _TONES) for c in clusters]
    target = len(clusters) - (2 if style == ToneStyle.FIRST else 1)
    stripped[target] = stripped[target] + tone
    return normalize("".join(stripped))


def _fold_table() -> dict[int, str]:
    # Every letter of the Latin blocks Vietnamese uses, folded once by the search app's
    # rule: folding a whole archive is then one str.translate per text, not a Python call
    # per character (the corpus of 3,000 stories: minutes → seconds).
    table = {}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fold(char)
        if folded != char:
            table[code] = folded
    return table


_FOLD = _fold_table()


def fast_fold(text: str) -> str:
    """`search.folding.fold` for long texts (lower case, no diacritics, đ → d)."""
    return normalize(text).lower().translate(_FOLD)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(normalize(text)) if s.strip()]


@functools.lru_cache(maxsize=4096)
def phrase_pattern(folded_phrase: str) -> re.Pattern:
    """Whole-word occurrences of a folded phrase in folded text (any spacing)."""
    words = folded_phrase.split()
    return re.compile(r"(?<![^\W_])" + r"\s+".join(map(re.escape, words)) + r"(?![^\W_])")


def folded_words(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


def match_case(template: str, word: str) -> str:
    """`word` written with the capitals of `template` (same number of syllables)."""
    out = []
    for t, w in zip(template.split(), word.split(), strict=False):
        if t.isupper() and len(t) > 1:
            out.append(w.upper())
        elif t[:1].isupper():
            out.append(w[:1].upper() + w[1:])
        else:
            out.append(w)
    return " ".join(out)
