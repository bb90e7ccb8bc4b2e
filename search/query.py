"""The search API's request and result types, and the checks every backend relies on."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from newsroom.models.pages import PrimaryFormat

from .folding import fold, tokens

# A reader's query longer than this is cut (and told so): no real query is longer, and
# it bounds the work of one request. Words beyond MAX_WORDS are dropped the same way.
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 20
# Deep paging is what crawlers do; 500 pages of 20 is the whole demo archive many times.
# It is also Elasticsearch's `max_result_window`: a page past it is refused by the
# cluster, so the limit is on results, whatever the page size.
MAX_RESULTS = 10_000

FACETS = ("outlet", "section", "format", "year", "tag", "place")
# Filter → the index column (StoryIndex) and document field (Elasticsearch) holding it;
# "tag" is many per story, so each backend filters on it its own way.
FILTER_COLUMNS = {
    "outlet": "outlet_id",
    "section": "section_id",
    "format": "primary_format",
    "year": "year",
    "place": "place_id",
}
# The one scoring rule, on every backend (database and Elasticsearch). Per
# query word, the best field it is in: headline 3, standfirst or tags/place 2, body 1.
# Per word typed with diacritics and found so (either tone placement): 5, so "báo" puts
# the press story above storm stories ("bão"). All the words one after another in the
# headline, standfirst or tags: 2 per word. Matching is on whole words only, so a word
# inside another never matches. Ties: newest first.
HEADLINE, LEAD, BODY, EXACT, PHRASE = 3, 2, 1, 5, 2
SORTS = ("relevance", "newest")
_ID_RE = re.compile(r"^\d{1,9}$")
_SLUG_RE = re.compile(r"^[-\w]{1,100}$")
# Years a filter may name (the press archive starts in the last century). A wider date
# overflows when made a datetime (0001-01-01 minus the zone, 9999-12-31 plus a day).
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass
class SearchRequest:
    """A checked query: what backends receive."""

    text: str = ""
    words: list[str] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    site_id: int | None = None
    agency_ids: list[int] | None = None
    # Relaxed search: a story matches with this many of the words (None: all of them).
    min_match: int | None = None

    @property
    def folded_words(self) -> list[str]:
        return [fold(w) for w in self.words]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def past_limit(self) -> bool:
        return self.offset + self.per_page > MAX_RESULTS


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchHit:
    page_id: int
    site_id: int
    url: str
    headline: SafeString
    snippet: SafeString
    outlet: str
    section: str
    primary_format: str
    access_level: str
    published_at: datetime.datetime
    score: float = 0.0


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    messages: list[str] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    backend: str = "database"
    # How search forgave the query (search.selectors): the words searched when they are
    # not the reader's, whether fewer than all words were required, whether the search
    # was widened from the reader's outlet to all of them, and notes saying so.
    searched_for: str | None = None
    corrected: bool = False
    relaxed: bool = False
    widened: bool = False
    notes: list[str] = field(default_factory=list)
    # Relevance ranked only the newest this many matches (None: all of them).
    rank_window: int | None = None
    # A broad query on PostgreSQL: `total` is an estimate and the facets count the newest
    # matches only (search.backends.database._newest_window); `pageable` results can be
    # paged through (None: all `total`).
    approximate: bool = False
    pageable: int | None = None

    @property
    def num_pages(self) -> int:
        shown = self.total if self.pageable is None else min(self.total, self.pageable)
        return max(1, -(-shown // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _parse_date(value: str) -> datetime.date | None:
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return date if MIN_YEAR <= date.year <= MAX_YEAR else None


def _parse_year(value: str) -> int | None:
    # isdecimal() alone lets "²" or "١٩٩٠" through; only ASCII digits are a year here.
    if value.isascii() and value.isdecimal() and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    return None


def clean_request(
    *, query, filters, sort, page, per_page, site=None, agency_ids=None
) -> tuple[SearchRequest, list[str]]:
    """Check a query from the outside. Never raises: a bad part is dropped with a clear
    Vietnamese message and the rest still runs."""
    messages: list[str] = []
    text = str(query or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        messages.append(f"Từ khóa quá dài: chỉ {MAX_QUERY_CHARS} ký tự đầu được dùng để tìm kiếm.")
    words = tokens(text)
    if len(words) > MAX_WORDS:
        words = words[:MAX_WORDS]
        messages.append(f"Chỉ {MAX_WORDS} từ đầu tiên được dùng để tìm kiếm.")
    if text and not words:
        messages.append("Từ khóa không có chữ hoặc số nào để tìm.")

    clean: dict = {}
    labels = {
        "outlet": "ấn phẩm",
        "section": "chuyên mục",
        "place": "địa bàn",
    }
    for key, raw in (filters or {}).items():
        value = str(raw or "").strip()
        if not value:
            continue
        if key in labels:
            if _ID_RE.match(value):
                clean[key] = int(value)
            else:
                messages.append(f"Bộ lọc {labels[key]} không hợp lệ: đã bỏ qua.")
        elif key == "format":
            if value in PrimaryFormat.values:
                clean[key] = value
            else:
                messages.append("Loại hình không hợp lệ: đã bỏ qua.")
        elif key == "year":
            if year := _parse_year(value):
                clean[key] = year
            else:
                messages.append(f"Năm không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR}): đã bỏ qua.")
        elif key == "tag":
            if _SLUG_RE.match(value):
                clean[key] = value
            else:
                messages.append("Chủ đề không hợp lệ: đã bỏ qua.")
        elif key in ("from", "to"):
            date = _parse_date(value)
            if date:
                clean[key] = date
            else:
                messages.append(
                    "Ngày phải có dạng NNNN-TT-NN (ví dụ 2025-01-31), năm trong khoảng "
                    f"{MIN_YEAR}–{MAX_YEAR}: đã bỏ qua."
                )
        # Unknown keys (utm_source and the like) are ignored without a word.
    if clean.get("from") and clean.get("to") and clean["from"] > clean["to"]:
        messages.append("Khoảng ngày không hợp lệ (từ ngày sau đến ngày): đã bỏ qua.")
        clean.pop("from"), clean.pop("to")

    if sort not in SORTS:
        if sort:
            messages.append("Cách sắp xếp không hợp lệ: sắp theo mức độ liên quan.")
        sort = "relevance"

    try:
        page = int(page or 1)
    except (TypeError, ValueError):
        page = 1
        messages.append("Số trang không hợp lệ: hiển thị trang 1.")
    if page < 1:
        page = 1
    try:
        per_page = int(per_page or DEFAULT_PER_PAGE)
    except (TypeError, ValueError):
        per_page = DEFAULT_PER_PAGE
    per_page = min(max(per_page, 1), MAX_PER_PAGE)

    request = SearchRequest(
        text=text,
        words=words,
        filters=clean,
        sort=sort,
        page=page,
        per_page=per_page,
        site_id=getattr(site, "pk", None),
        agency_ids=list(agency_ids) if agency_ids is not None else None,
    )
    if request.past_limit:
        messages.append(f"Chỉ xem được tối đa {MAX_RESULTS // per_page} trang kết quả.")
    return request, messages
