"""Finds English interface words in text a Vietnamese newsroom reads.

Vietnamese written without its marks is ASCII too ("Thanh Hoa", "ban tin", "sang nay"), so
"any ASCII word" would flag Vietnamese. A word is English here when it is

- a word of the English interface the admin is built from: every msgid of Wagtail's,
  wagtailmedia's and Django's English catalogues (plus a few words the project could write
  by hand), and
- not a possible Vietnamese syllable once its marks are taken off (onset + rhyme, checked
  by the spelling rules below: "ban", "tin", "sang", "set", "the" are Vietnamese too), and
- not one of the proper names and acronyms Vietnamese newsrooms write as they are.
"""

import functools
import re
from pathlib import Path

import django
import wagtail

# Names and acronyms a Vietnamese interface writes as they are.
ALLOWED = {
    "wagtail",
    "zalo",
    "momo",
    "vnpay",
    "zalopay",
    "rss",
    "url",
    "seo",
    "pdf",
    "xlsx",
    "csv",
    "mp3",
    "mp4",
    "hls",
    "email",
    "e-mail",
    "ip",
    "facebook",
    "youtube",
    "google",
    "api",
    "html",
    "http",
    "https",
    "jpeg",
    "png",
    "gif",
    "webp",
    "svg",
    "avif",
    "utc",
    "vimeo",
    "tiktok",
    "emoji",
    "ctrl",
    "alt",
    "shift",
    "javascript",
    "video",
    "web",
    "podcast",
    "internet",
    "logo",
    "menu",
}

# Product names of several words, written as they are.
ALLOWED_PHRASES = ["Zalo Official Account", "Google News", "Apple Podcasts"]

# Interface words a hand-written template might use that no catalogue above holds.
EXTRA_ENGLISH = {
    "dashboard",
    "logout",
    "login",
    "signup",
    "username",
    "loading",
    "submit",
    "upload",
    "uploads",
    "chooser",
    "ready",
    "failed",
    "waiting",
    "processing",
    "story",
    "stories",
    "deadline",
    "assignment",
    "assignments",
    "planning",
    "statistics",
    "chart",
    "views",
    "readers",
}

_ONSETS = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx]"
_RHYMES = (
    # Rhymes of Vietnamese with tone and vowel marks taken off (ă, â → a; ê → e; ô, ơ → o;
    # ư → u), grouped by nucleus.
    "a|ai|ao|au|ay|am|an|ang|anh|ap|at|ac|ach|"
    "e|eo|em|en|eng|ep|et|ec|enh|ech|eu|"
    "i|ia|iu|im|in|inh|ip|it|ich|iem|ien|iep|iet|ieu|ieng|ic|ieng|"
    "o|oi|om|on|ong|op|ot|oc|oa|oai|oao|oay|oam|oan|oang|oanh|oap|oat|oac|oach|"
    "oe|oeo|oem|oen|oet|ooc|oong|"
    "u|ua|ui|um|un|ung|up|ut|uc|uan|uang|uat|uay|uan|uanh|uach|uau|"
    "ue|uen|uenh|uech|uet|uy|uya|uyen|uyet|uynh|uych|uyt|uyu|uu|"
    "uoi|uom|uon|uong|uop|uot|uoc|uou|"
    "y|yen|yet|yeu|yem"
)
_SYLLABLE = re.compile(rf"^(?:{_ONSETS})?(?:{_RHYMES})$")

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
# Identifiers shown as they are (a content type "newsroom.storypage", a file "tin.mp3").
# A web address, and a parameter named as a platform's console names it ("app_id",
# "access_token"), are not words either.
_CODE = re.compile(r"\bhttps?://\S+|\b[a-z0-9_]+(?:\.[a-z0-9_]+)+\b|\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` (ASCII) spells a Vietnamese syllable with its marks taken off."""
    return bool(_SYLLABLE.match(word.lower()))


def _catalogues():
    wagtail_dir = Path(wagtail.__file__).parent
    django_dir = Path(django.__file__).parent
    sources = list(wagtail_dir.glob("**/locale/en/LC_MESSAGES/*.po"))
    try:
        import wagtailmedia

        sources += Path(wagtailmedia.__file__).parent.glob("locale/en/LC_MESSAGES/*.po")
    except ImportError:  # pragma: no cover - wagtailmedia is a dependency
        pass
    sources += django_dir.glob("contrib/*/locale/en/LC_MESSAGES/*.po")
    sources += django_dir.glob("conf/locale/en/LC_MESSAGES/*.po")
    return sources


def _msgid_words(po: Path):
    in_msgid = False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            in_msgid = True
        elif line.startswith(("msgstr", "msgctxt", "#")) or not line.strip():
            in_msgid = False
        if not in_msgid:
            continue
        text = line.split('"', 1)[1].rsplit('"', 1)[0] if '"' in line else ""
        # Placeholders and markup are not words a reader sees.
        text = re.sub(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|<[^>]+>|%[sd]", " ", text)
        yield from (w.lower() for w in _WORD.findall(text))


@functools.cache
def english_vocabulary() -> frozenset:
    words = set(EXTRA_ENGLISH)
    for po in _catalogues():
        words.update(_msgid_words(po))
    return frozenset(
        w
        for w in words
        if len(w) >= 3 and w not in ALLOWED and not is_vietnamese_syllable(w) and w.isascii()
    )


def english_words(text: str) -> list:
    """The English interface words in `text`, in order of appearance."""
    vocabulary = english_vocabulary()
    found = []
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    for token in _WORD.findall(_CODE.sub(" ", text)):
        word = token.strip("'’-").lower()
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if word in vocabulary:
            found.append(token)
    return found
