"""Vietnamese folding: the form readers type on phones without diacritics.

"Thanh Hóa chuyển đổi số" → "thanh hoa chuyen doi so". Unicode decomposition (NFD) splits
every Vietnamese letter into a base letter and combining marks (tone and vowel marks);
dropping the marks leaves the base. "đ"/"Đ" has no decomposition (it is a letter of its
own, not d + mark), so it is mapped by hand — the mistake most folding code makes.

`fold` keeps the length of NFC text character for character, so a match found in the
folded text can be highlighted at the same offsets in the original.
"""

import re
import unicodedata

_SPECIAL = {"đ": "d", "Đ": "D"}
# Words: letters and digits in any script; everything else separates (and is how query
# syntax and injection attempts are neutralised: they never reach a query as operators).
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) == 1:  # "İ".lower() is two characters: keep such rare ones as they are
        char = lower
    if char in _SPECIAL:
        return _SPECIAL[char]
    if char.isascii():
        return char
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    # One character in, one out: keeps offsets aligned for highlighting.
    return base if len(base) == 1 else char


def normalize(text: str) -> str:
    """NFC: the same Vietnamese word typed on different keyboards (precomposed or
    combining marks) becomes the same string."""
    return unicodedata.normalize("NFC", text or "")


class _Table(dict):
    """A `str.translate` table filled as characters are first seen (one character in, one
    out), so folding a story's body is one C-level pass, not a Python call per character
    (20 snippets fold about 50,000 characters per search). Characters past the
    Vietnamese, Latin and common symbol blocks are not kept, so odd input cannot grow it
    without bound."""

    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def __missing__(self, code: int) -> str:
        value = self.convert(chr(code))
        if code < _TABLE_LIMIT:
            self[code] = value
        return value


_TABLE_LIMIT = 0x3000
_FOLD = _Table(_fold_char)


def fold(text: str) -> str:
    """Lower-case, diacritic-free form of NFC-normalised text, same length."""
    return normalize(text).translate(_FOLD)


def _lower_char(char: str) -> str:
    lower = char.lower()
    return lower if len(lower) == 1 else char


_LOWER = _Table(_lower_char)


def lower_same_length(text: str) -> str:
    """Lower case, character for character (a character whose lower case is longer, as
    "İ", stays), so offsets stay aligned with the original."""
    return text.translate(_LOWER)


def tokens(text: str) -> list[str]:
    """Lower-case words of `text` (NFC), keeping diacritics."""
    return WORD_RE.findall(normalize(text).lower())


def has_diacritics(word: str) -> bool:
    return fold(word) != normalize(word).lower()


def search_text(*parts: str) -> str:
    """The words of `parts` as one space-separated lower-case string, with a space at both
    ends so that ` word ` finds whole words with a plain substring test (SQLite)."""
    words = []
    for part in parts:
        words.extend(tokens(part))
    return " " + " ".join(words) + " "


# Tone marks (grave, acute, tilde, hook, dot below): the marks whose place moved between the
# old and the new spelling rule ("hòa"/"hoà", "thủy"/"thuỷ"); other marks (â, ơ, ư...) are
# part of the vowel and never move.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_MOVABLE = {("o", "a"), ("o", "e"), ("u", "y")}


def tone_variants(word: str) -> list[str]:
    """The word as written under both tone-placement rules: "hoà" → ["hoà", "hòa"],
    "thủy" → ["thủy", "thuỷ"]; other words as they are. Only a syllable ending in oa, oe
    or uy (not "quy") has two spellings."""
    word = normalize(word).lower()
    clusters: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and clusters:
            clusters[-1] += char
        else:
            clusters.append(char)
    if len(clusters) < 2:
        return [word]
    first, second = clusters[-2], clusters[-1]
    if (first[0], second[0]) not in _MOVABLE:
        return [word]
    if first[0] == "u" and len(clusters) > 2 and clusters[-3][0] == "q":
        return [word]
    marks = set(first[1:]) | set(second[1:])
    if len(marks) != 1 or not marks <= _TONES or len(first) + len(second) != 3:
        return [word]
    tone = marks.pop()
    if len(first) == 2:
        moved = first[0] + second[0] + tone
    else:
        moved = first[0] + tone + second[0]
    variant = unicodedata.normalize("NFC", "".join(clusters[:-2]) + moved)
    return [word, variant]
