"""The suggesters: each reads a draft as the reporter has typed it (headline, standfirst,
body) and returns plain data for the editor's "Gợi ý AI" panel. None of them writes.

All run in the process: the outlet's own indexed stories (`assist.corpus`), its tag
vocabulary, the commune register and pyvi's word segmentation (its CRF model ships
inside the package)."""

import datetime
import functools
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from rapidfuzz import fuzz

from search.folding import fold, has_diacritics, normalize
from search.models import SearchTerm, StoryIndex

from . import places as place_finder
from .corpus import OutletCorpus, marked_pairs
from .text import WORD_RE, match_case, phrase_pattern, sentences, styled

# Where a phrase is found says how much it counts: headline, standfirst, body.
FIELD_WEIGHTS = {"title": 3.0, "standfirst": 2.0, "body": 1.0}
TAGS_SHOWN = 5
NEW_PHRASES_SHOWN = 3
NEW_PHRASE_MIN_COUNT = 3.0  # weighted: in the headline, or standfirst and body
NEIGHBOURS = 10  # similar stories whose tags and sections vote
# Tuned by bench/assist_suggestions.py (a grid over these; each demo story's tags hidden,
# precision and recall at 5 of the list shown) and on the rice-harvest story of
# tests/assist/test_panel_browser.py: a tag must be named in the headline or in more than
# the body, or carried by close stories (similarity ≥ 0.35: the demo's shared boilerplate
# bodies make every story 0.1–0.3 alike); new phrases at least in the headline or in
# standfirst and body. Demo: P@5 0.19 → 0.25, R@5 0.30 → 0.29.
NEIGHBOUR_WEIGHT = 4.0
NEIGHBOUR_MIN_SIMILARITY = 0.35
TAG_MIN_SCORE = 2.5
TAG_RELATIVE_MIN = 0.6  # of the best tag's score: the tail is noise
RELATED_SHOWN = 5
RELATED_MIN_SIMILARITY = 0.05
# Headline lengths: search engines cut a title near 60–70 characters (600 px), social
# cards (Facebook, Zalo) after about two lines, ~100 characters.
HEADLINE_SEARCH_MAX = 70
HEADLINE_SOCIAL_MAX = 100
HEADLINE_MIN = 20
DUPLICATE_DAYS = 30
DUPLICATE_RATIO = 90
STANDFIRST_MAX = 300
# A pair of syllables typed without tone marks is flagged when its marked form is this
# share of the corpus's uses and the unmarked form almost never written.
PAIR_MIN_USES = 3
PAIR_DOMINANT = 0.8
PAIR_UNMARKED_MAX = 0.05
WORD_MIN_USES = 3
WORD_DOMINANT = 0.9

# Common misspellings in Vietnamese newsrooms (s/x, ch/tr, d/gi, n/l confusions and
# doubled letters): wrong → right. Lower case; matched as whole words, any case.
TYPOS = {
    "sát nhập": "sáp nhập",
    "xát nhập": "sáp nhập",
    "chuẩn đoán": "chẩn đoán",
    "sử lý": "xử lý",
    "sử lí": "xử lí",
    "năng xuất": "năng suất",
    "sơ xuất": "sơ suất",
    "xuất xắc": "xuất sắc",
    "sáng lạng": "xán lạn",
    "dấu diếm": "giấu giếm",
    "giấu diếm": "giấu giếm",
    "tựu chung": "tựu trung",
    "thăm quan": "tham quan",
    "giành dụm": "dành dụm",
    "dành giật": "giành giật",
    "chặt chẻ": "chặt chẽ",
    "bổ xung": "bổ sung",
    "xuất xứ": "xuất xứ",
    "trau chuốt": "chau chuốt",
    "chỉnh chu": "chỉn chu",
    "lãng phí": "lãng phí",
    "cuả": "của",
    "nhưng mà mà": "nhưng mà",
}
TYPOS = {k: v for k, v in TYPOS.items() if k != v}
# Nouns pyvi tags (N: common noun, Np: proper noun, Ny: abbreviation).
_NOUN_TAGS = {"N", "Np", "Ny"}
_GENERIC = frozenset(
    fold(w)
    for w in """người_dân cán_bộ địa_phương năm_nay thời_gian công_tác hoạt_động tỉnh
    huyện xã phường thôn bản ngày tháng năm việc vấn_đề kết_quả nội_dung chương_trình
    đơn_vị cơ_quan thị_trấn thành_phố thị_xã""".split()
)


@dataclass
class Draft:
    title: str = ""
    standfirst: str = ""
    body: str = ""
    page_id: int | None = None

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "standfirst": self.standfirst, "body": self.body}

    @property
    def text(self) -> str:
        return "\n".join([self.title, self.standfirst, self.body])


@dataclass
class Context:
    """What the suggesters know of the outlet: its corpus, tags, sections, the register."""

    corpus: OutletCorpus
    outlet_id: int
    sections: dict[int, str]  # SectionPage id → title
    places: dict[str, int]  # register name → Place id
    tone_style: str
    tag_names: list[str] = field(default_factory=list)  # the outlet's tag vocabulary


def _same_word(typed: str, phrase: str) -> bool:
    """The text says `phrase`: with its diacritics (either tone placement), or typed
    without any ("bao" may be "bão"; "báo" is not)."""
    if not has_diacritics(typed):
        return True
    return _styled_lower(typed) == _styled_lower(phrase)


def _styled_lower(text: str) -> str:
    return " ".join(styled(w, "first") for w in normalize(text).lower().split())


def _field_counts(draft: Draft, phrase: str) -> float:
    pattern = phrase_pattern(fold(phrase))
    total = 0.0
    for name, value in draft.fields().items():
        value = normalize(value)
        for match in pattern.finditer(fold(value)):
            if _same_word(value[match.start() : match.end()], phrase):
                total += FIELD_WEIGHTS[name]
    return total


def tags(draft: Draft, ctx: Context, neighbours=None) -> list[dict]:
    """The outlet's own tags first (named in the text, or carried by similar stories),
    then up to three new key phrases from word segmentation."""
    if neighbours is None:
        neighbours = ctx.corpus.similar(draft.text, exclude=draft.page_id, limit=NEIGHBOURS)
    scores: Counter = Counter()
    named: set[str] = set()
    for name in ctx.tag_names:
        found = _field_counts(draft, name)
        if found:
            scores[name] += found
            named.add(name)
    # A tag on every other story votes from everywhere: its votes count less.
    uses = ctx.corpus.tag_uses
    for similarity, doc in neighbours:
        if similarity < NEIGHBOUR_MIN_SIMILARITY:
            break
        for name in doc.tags:
            scores[name] += NEIGHBOUR_WEIGHT * similarity / uses[name] ** 0.5
    top = max(scores.values(), default=0)
    ranked = [
        {
            "value": name,
            "score": round(score, 3),
            "source": "vocabulary",
            "reason": "có trong bài" if name in named else "bài tương tự có chủ đề này",
        }
        for name, score in scores.most_common()
        if score >= TAG_MIN_SCORE and score >= TAG_RELATIVE_MIN * top
    ][:TAGS_SHOWN]
    taken = {fold(t["value"]) for t in ranked} | {fold(n) for n in ctx.tag_names}
    for phrase in key_phrases(draft, ctx, exclude=taken)[:NEW_PHRASES_SHOWN]:
        ranked.append({**phrase, "source": "new", "reason": "cụm từ khóa mới trong bài"})
    return ranked


@functools.cache
def _pyvi():
    from pyvi import ViPosTagger, ViTokenizer  # loads the shipped CRF model (~1 s) once

    return ViTokenizer, ViPosTagger


def key_phrases(draft: Draft, ctx: Context, *, exclude: set[str]) -> list[dict]:
    """Multi-syllable nouns pyvi finds, by weighted count times rarity in the outlet."""
    tokenizer, tagger = _pyvi()
    counts: Counter = Counter()
    written: dict[str, str] = {}
    place_words = {fold(place_finder._short(n)) for n in ctx.places}
    place_words |= {fold(old.name) for old in place_finder.old_names()}
    for name, value in draft.fields().items():
        if not value.strip():
            continue
        words, pos = tagger.postagging(tokenizer.tokenize(normalize(value)))
        for word, tag in zip(words, pos, strict=False):
            if (
                "_" not in word
                or tag not in _NOUN_TAGS
                or not WORD_RE.fullmatch(word.replace("_", ""))
            ):
                continue
            key = fold(word)
            if key in _GENERIC or not has_diacritics(word):  # unmarked: typed without marks
                continue
            # A proper noun keeps its capitals; a common noun at a sentence start does not.
            phrase = word.replace("_", " ")
            phrase = phrase if tag == "Np" else phrase.lower()
            counts[key.replace("_", " ")] += FIELD_WEIGHTS[name]
            written.setdefault(key.replace("_", " "), phrase)
    vectorizer = ctx.corpus.vectorizer
    idf_max = max(vectorizer.idf_) if vectorizer is not None else 1.0
    out = []
    for key, count in counts.items():
        if key in exclude or key in place_words or count < NEW_PHRASE_MIN_COUNT:
            continue
        idf = idf_max
        if vectorizer is not None:
            index = vectorizer.vocabulary_.get(key.replace(" ", "_"))
            idf = vectorizer.idf_[index] if index is not None else idf_max
        out.append({"value": written[key], "score": round(count * idf / idf_max, 3)})
    return sorted(out, key=lambda p: -p["score"])


def section(draft: Draft, ctx: Context, neighbours=None) -> list[dict]:
    """The outlet's sections, most likely first: similar stories vote with their
    similarity; a section named in the text adds one."""
    if neighbours is None:
        neighbours = ctx.corpus.similar(draft.text, exclude=draft.page_id, limit=NEIGHBOURS)
    scores: Counter = Counter({pk: 0.0 for pk in ctx.sections})
    for similarity, doc in neighbours:
        if doc.section_id in scores:
            scores[doc.section_id] += similarity
    for pk, title in ctx.sections.items():
        if _field_counts(draft, title):
            scores[pk] += 0.5
    return [
        {"id": pk, "value": ctx.sections[pk], "score": round(score, 3)}
        for pk, score in scores.most_common()
        if score > 0
    ][:3]


def communes(draft: Draft, ctx: Context) -> list[dict]:
    return [
        {
            "id": hit.place_id,
            "value": hit.name,
            "score": hit.score,
            "mentions": hit.mentions,
            "old_names": hit.old_names,
            "reason": (
                "tên cũ trước sắp xếp 2025: " + ", ".join(hit.old_names)
                if hit.old_names
                else "có trong bài"
            ),
        }
        for hit in place_finder.find(draft.text, ctx.places)
    ][:3]


def related(draft: Draft, ctx: Context, neighbours=None) -> list[dict]:
    if neighbours is None:
        neighbours = ctx.corpus.similar(draft.text, exclude=draft.page_id, limit=NEIGHBOURS)
    return [
        {
            "id": doc.page_id,
            "value": doc.headline,
            "url": doc.url,
            "score": round(similarity, 3),
            "published_at": timezone.localtime(doc.published_at).strftime("%d/%m/%Y"),
        }
        for similarity, doc in neighbours
        if similarity >= RELATED_MIN_SIMILARITY
    ][:RELATED_SHOWN]


def standfirst(draft: Draft) -> list[dict]:
    """One or two sentences of the body that say most of what the headline says, the
    earlier the better (news puts the essential first), at most 300 characters."""
    candidates = sentences(draft.body)[:12]
    title_words = set(WORD_RE.findall(fold(draft.title)))
    if not candidates:
        return []

    def score(index, sentence):
        words = set(WORD_RE.findall(fold(sentence)))
        overlap = len(words & title_words) / max(len(title_words), 1)
        fits = 1.0 if 40 <= len(sentence) <= STANDFIRST_MAX else 0.3
        return (0.6 * overlap + 0.4 / (1 + index)) * fits

    ranked = sorted(enumerate(candidates), key=lambda item: -score(*item))
    index, best = ranked[0]
    if len(best) < 120 and index + 1 < len(candidates):
        longer = f"{best} {candidates[index + 1]}"
        if len(longer) <= STANDFIRST_MAX:
            best = longer
    best = best[:STANDFIRST_MAX].strip()
    if fold(best) == fold(draft.standfirst.strip()):
        return []
    return [{"value": best, "reason": "câu tóm tắt lấy từ thân bài"}]


def headline(draft: Draft, ctx: Context, *, now=None) -> list[dict]:
    title = normalize(draft.title).strip()
    if not title:
        return []
    checks = []
    length = len(title)
    if length > HEADLINE_SOCIAL_MAX:
        checks.append(
            {
                "value": f"Tiêu đề dài {length} ký tự: kết quả tìm kiếm cắt sau khoảng "
                f"{HEADLINE_SEARCH_MAX}, thẻ chia sẻ mạng xã hội sau khoảng {HEADLINE_SOCIAL_MAX}.",
                "code": "too_long_social",
            }
        )
    elif length > HEADLINE_SEARCH_MAX:
        checks.append(
            {
                "value": f"Tiêu đề dài {length} ký tự: kết quả tìm kiếm (Google, Cốc Cốc) cắt "
                f"sau khoảng {HEADLINE_SEARCH_MAX}. Có thể ghi tiêu đề ngắn hơn ở thẻ "
                "“Tối ưu tìm kiếm (SEO)”.",
                "code": "too_long_search",
            }
        )
    elif length < HEADLINE_MIN:
        checks.append(
            {
                "value": f"Tiêu đề chỉ {length} ký tự: quá ngắn để bạn đọc hiểu bài nói gì "
                "trên kết quả tìm kiếm.",
                "code": "too_short",
            }
        )
    since = (now or timezone.now()) - datetime.timedelta(days=DUPLICATE_DAYS)
    recent = (
        StoryIndex.objects.filter(outlet_id=ctx.outlet_id, published_at__gte=since)
        .exclude(page_id=draft.page_id or 0)
        .values_list("headline", "url", "published_at")
    )
    folded = fold(title)
    for other, url, published in recent:
        if fuzz.ratio(folded, fold(other)) >= DUPLICATE_RATIO:
            when = timezone.localtime(published).strftime("%d/%m/%Y")
            checks.append(
                {
                    "value": f"Trùng với tiêu đề đã đăng ngày {when}: “{other}”.",
                    "code": "duplicate",
                    "url": url,
                }
            )
    return checks


def spelling(draft: Draft, ctx: Context) -> list[dict]:
    """Suggestions in place: (field, original, replacement, reason), one per distinct
    change in a field; accepting one replaces every occurrence of it in that field."""
    found: dict[tuple[str, str], dict] = {}

    def add(name, original, replacement, reason, code):
        if original == replacement:
            return
        key = (name, original)
        if key in found:
            found[key]["count"] += 1
            return
        found[key] = {
            "field": name,
            "original": original,
            "value": replacement,
            "reason": reason,
            "code": code,
            "count": 1,
        }

    pairs = marked_pairs()
    for name, value in draft.fields().items():
        value = normalize(value)
        covered: set[int] = set()
        for wrong, right in TYPOS.items():
            for match in phrase_pattern(wrong).finditer(value.lower()):
                original = value[match.start() : match.end()]
                add(name, original, match_case(original, right), "lỗi chính tả thường gặp", "typo")
                covered.update(range(match.start(), match.end()))
        words = list(WORD_RE.finditer(value))
        _missing_marks(value, words, pairs, covered, ctx, name, add)
        for match in words:
            if match.start() in covered or not has_diacritics(match.group()):
                continue
            fixed = styled(match.group(), ctx.tone_style)
            add(name, match.group(), fixed, "cách đặt dấu thanh theo quy ước của tòa soạn", "tone")
    return list(found.values())


def _missing_marks(value, words, pairs, covered, ctx, name, add):
    """Pairs then single words typed without tone marks that the corpus writes marked."""
    for first, second in zip(words, words[1:], strict=False):
        if first.start() in covered or value[first.end() : second.start()].strip():
            continue
        typed = f"{first.group()} {second.group()}"
        if has_diacritics(first.group()) and has_diacritics(second.group()):
            continue
        forms = pairs.get(fold(typed))
        if not forms:
            continue
        total = sum(forms.values())
        best, uses = forms.most_common(1)[0]
        lower = typed.lower()
        if (
            total < PAIR_MIN_USES
            or uses < PAIR_DOMINANT * total
            or forms.get(lower, 0) > PAIR_UNMARKED_MAX * total
            or not _adds_marks_only(lower, best)
        ):
            continue
        best = " ".join(styled(w, ctx.tone_style) for w in best.split())
        add(name, typed, match_case(typed, best), "thiếu dấu thanh", "marks")
        covered.update({first.start(), second.start()})
    # A single word is only suspect among words typed without marks: "chi" in "chi phí"
    # was typed that way on purpose.
    unmarked = [not has_diacritics(m.group()) for m in words]
    bare = [
        m
        for i, m in enumerate(words)
        if unmarked[i]
        and m.start() not in covered
        and len(m.group()) >= 3
        and (i == 0 or unmarked[i - 1])
        and (i + 1 == len(words) or unmarked[i + 1])
    ]
    if not bare:
        return
    forms: dict[str, Counter] = {}
    for folded, word, frequency in SearchTerm.objects.filter(
        folded__in={m.group().lower() for m in bare}
    ).values_list("folded", "word", "frequency"):
        forms.setdefault(folded, Counter())[word] = frequency
    for match in bare:
        counts = forms.get(match.group().lower())
        if not counts or counts.get(match.group().lower(), 0):
            continue
        best, uses = counts.most_common(1)[0]
        if uses >= WORD_MIN_USES and uses >= WORD_DOMINANT * sum(counts.values()):
            best = styled(best, ctx.tone_style)
            add(name, match.group(), match_case(match.group(), best), "thiếu dấu thanh", "marks")


def _adds_marks_only(typed: str, marked: str) -> bool:
    """`marked` only adds marks to the syllables `typed` wrote without any (a syllable
    typed with marks stays as typed, up to tone placement)."""
    for t, m in zip(typed.split(), marked.split(), strict=False):
        if has_diacritics(t) and styled(t, "first") != styled(m, "first"):
            return False
    return True


def all_suggestions(draft: Draft, ctx: Context) -> dict:
    neighbours = ctx.corpus.similar(draft.text, exclude=draft.page_id, limit=NEIGHBOURS)
    return {
        "tags": tags(draft, ctx, neighbours),
        "sections": section(draft, ctx, neighbours),
        "places": communes(draft, ctx),
        "related": related(draft, ctx, neighbours),
        "standfirst": standfirst(draft),
        "headline": headline(draft, ctx),
        "spelling": spelling(draft, ctx),
    }
