"""Vietnamese text helpers shared by the demo loader and the admin: slugs and folding."""

import re
import unicodedata

from django.utils.text import slugify

from search.folding import fold

# What a stored page slug may already look like (Django's ASCII slug): kept as typed.
ASCII_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
PAGE_SLUG_MAX_LENGTH = 255  # Page.slug's max_length; Wagtail's client-side urlify cuts there too


def vi_slugify(value: str, max_length: int = 80) -> str:
    """ASCII slug of Vietnamese text: "Chuyển đổi số" → "chuyen-doi-so". Django's slugify
    drops "đ", which has no Unicode decomposition, so map it first."""
    value = unicodedata.normalize("NFC", value or "").replace("đ", "d").replace("Đ", "D")
    return slugify(value)[:max_length].strip("-")


def vi_clean_slug(value: str) -> str:
    """A slug as typed in the admin: an ASCII slug is kept; anything else (spaces, tone
    marks, "đ") is transliterated as a page title would be."""
    value = (value or "").strip()
    if not value or ASCII_SLUG_RE.match(value):
        return value
    return vi_slugify(value, max_length=PAGE_SLUG_MAX_LENGTH)


def _letter_ranges():
    # Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional (ạ ả ấ … ỹ).
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        yield from (chr(code) for code in range(start, end + 1))


def slug_js_formatters() -> list[tuple[str, str]]:
    """Regex/replacement pairs for Wagtail's `w-slug` controller (`SlugInput(formatters=)`),
    run before its urlify/slugify in the browser: every accented Latin letter becomes its
    base letter ("ũ" → "u", "ờ" → "o"), "đ"/"Đ" becomes "d" (Wagtail's own map would
    give "dj"), and combining marks of text typed decomposed are dropped. The same result
    as `vi_slugify` on the server."""
    by_base: dict[str, list[str]] = {}
    for char in _letter_ranges():
        if not char.isalpha():
            continue
        base = fold(char).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != char.lower():
            by_base.setdefault(base, []).append(char)
    formatters = [(f"[{''.join(chars)}]", base) for base, chars in sorted(by_base.items())]
    formatters.append(("[\u0300-\u036f]", ""))
    return formatters


def folded_words(text: str) -> list[str]:
    """The diacritic-free, lower-case words of `text`: "Mường Lát" → ["muong", "lat"]."""
    return fold(text).split()


def matches_folded(query: str, text: str) -> bool:
    """True when every word of `query`, typed with or without diacritics, occurs in
    `text` folded the same way: "muong lat" and "Mường Lát" both find "Xã Mường Lát"."""
    haystack = " ".join(folded_words(text))
    return all(word in haystack for word in folded_words(query))
