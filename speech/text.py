"""The text a story is read aloud from: headline, standfirst and body as plain text, with
the abbreviations, dates and number formats of Vietnamese news spelt out where a speech
engine would otherwise stumble, then cut into chunks a provider accepts."""

import hashlib
import re

from paywall.gating import blocks_text, paid_blocks, teaser_blocks

# Longest first where one is a prefix of another (PGS.TS before TS.).
ABBREVIATIONS = [
    (r"PGS\.\s?TS\.?", "phó giáo sư, tiến sĩ"),
    (r"GS\.\s?TS\.?", "giáo sư, tiến sĩ"),
    (r"ThS\.", "thạc sĩ"),
    (r"TS\.", "tiến sĩ"),
    (r"BS\.", "bác sĩ"),
    (r"[Tt][Pp]\.", "thành phố"),
    (r"TX\.", "thị xã"),
    (r"TT\.", "thị trấn"),
    (r"UBND", "Ủy ban nhân dân"),
    (r"HĐND", "Hội đồng nhân dân"),
    (r"MTTQ", "Mặt trận Tổ quốc"),
    (r"BCH", "Ban Chấp hành"),
    (r"THPT", "trung học phổ thông"),
    (r"THCS", "trung học cơ sở"),
    (r"CSGT", "cảnh sát giao thông"),
    (r"CLB", "câu lạc bộ"),
    (r"KCN", "khu công nghiệp"),
    (r"KKT", "khu kinh tế"),
    (r"QL", "quốc lộ"),
    (r"HTX", "hợp tác xã"),
    (r"ĐBSCL", "đồng bằng sông Cửu Long"),
]
_ABBREVIATIONS = [
    (re.compile(rf"(?<![\w.]){pattern}(?!\w)"), words) for pattern, words in ABBREVIATIONS
]
_DATE_FULL = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DATE_SHORT = re.compile(r"\b(\d{1,2})/(\d{1,2})\b")
_THOUSANDS = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_DECIMAL = re.compile(r"\b(\d+),(\d+)\b")
_PERCENT = re.compile(r"(\d)\s?%")
_UNITS = [
    (re.compile(r"(\d)\s?km2\b"), r"\1 ki-lô-mét vuông"),
    (re.compile(r"(\d)\s?km\b"), r"\1 ki-lô-mét"),
    (re.compile(r"(\d)\s?ha\b"), r"\1 héc-ta"),
    (re.compile(r"(\d)\s?kg\b"), r"\1 ki-lô-gam"),
    (re.compile(r"(\d)\s?m3\b"), r"\1 mét khối"),
    (re.compile(r"(\d)\s?m2\b"), r"\1 mét vuông"),
]
_SPACES = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")


def _date(match) -> str:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    return f"ngày {day} tháng {month} năm {year}"


def _short_date(match) -> str:
    day, month = int(match.group(1)), int(match.group(2))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    return f"ngày {day} tháng {month}"


def normalise(text: str) -> str:
    """Plain text as a Vietnamese newsreader would say it (cheap rules, no model)."""
    for pattern, words in _ABBREVIATIONS:
        text = pattern.sub(words, text)
    text = _DATE_FULL.sub(_date, text)
    text = _DATE_SHORT.sub(_short_date, text)
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _DECIMAL.sub(r"\1 phẩy \2", text)
    text = _PERCENT.sub(r"\1 phần trăm", text)
    for pattern, words in _UNITS:
        text = pattern.sub(words, text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def story_text(story) -> str:
    """Headline, standfirst and the whole body (free and paid parts), read aloud: the
    caller decides whether a paid story may be read at all."""
    body = blocks_text([*teaser_blocks(story), *paid_blocks(story)])
    parts = [story.title.strip(), (story.standfirst or "").strip(), body]
    raw = "\n".join(p if p.endswith((".", "!", "?", "…")) else p + "." for p in parts if p)
    return normalise(raw)


def text_hash(text: str, *, paid: bool) -> str:
    return hashlib.sha256(f"{int(paid)}\n{text}".encode()).hexdigest()


def chunks(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut between sentences (a sentence longer than
    the limit is cut between words, a word longer than it by characters)."""
    pieces: list[str] = []
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces
