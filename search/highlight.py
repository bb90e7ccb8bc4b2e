"""Highlighting matched words in index text, without trusting the text: every piece is
HTML-escaped before `<mark>` is added. A query word typed with diacritics marks only that
exact word when the text has it ("bão" marks "bão", not "báo"); a word typed without
diacritics marks every word that folds to it."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .folding import fold, has_diacritics, lower_same_length, normalize

SNIPPET_CHARS = 220


def _lower(text: str) -> str:
    # Length-preserving lower case, so offsets stay aligned with the original.
    return lower_same_length(text)


def _regex(words) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    lowered, folded = _lower(text), fold(text)
    exact_words, folded_words = [], []
    for word in words:
        word = _lower(normalize(word))
        if has_diacritics(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            exact_words.append(word)
        else:
            folded_words.append(fold(word))
    spans = []
    for pattern, haystack in ((_regex(exact_words), lowered), (_regex(folded_words), folded)):
        if pattern:
            spans += [m.span() for m in pattern.finditer(haystack)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return merged


def mark(text: str, words: list[str]) -> SafeString:
    """`text` with the query's words wrapped in <mark>."""
    text = normalize(text)
    out, last = [], 0
    for start, end in _spans(text, words):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, words: list[str], length: int = SNIPPET_CHARS) -> SafeString:
    """A window of `text` around the first matched word, highlighted."""
    text = " ".join(normalize(text).split())
    spans = _spans(text, words)
    start = 0
    if spans and spans[0][0] > length // 3:
        start = text.rfind(" ", 0, spans[0][0] - length // 3) + 1
    end = start + length
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    html = mark(text[start:end], words)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)
