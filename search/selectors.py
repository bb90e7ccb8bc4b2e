"""Reads of the search app: the one search API behind reader pages, the JSON endpoint and
the staff view."""

import dataclasses
import logging

from django.db import transaction
from wagtail.models import Site

from newsroom.models import Outlet
from newsroom.models.pages import PrimaryFormat

from . import vocabulary
from .backends import get_backend
from .query import SearchRequest, SearchResult, clean_request

logger = logging.getLogger(__name__)

FORMAT_LABELS = dict(PrimaryFormat.choices)


def story_search(
    *,
    query: str,
    filters: dict | None = None,
    sort: str = "relevance",
    page: int | str = 1,
    per_page: int | str = 20,
    site: Site | None = None,
    agency_ids=None,
    exact: bool = False,
) -> SearchResult:
    """Search published stories. `site` limits to one outlet (None: every outlet);
    `agency_ids` limits staff to their agencies. Bad input never raises: its part is
    dropped and `messages` says why; an empty query lists the newest stories.

    A query that finds nothing is forgiven (unless `exact`): see `forgiving_search`."""
    req, messages = clean_request(
        query=query,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        site=site,
        agency_ids=agency_ids,
    )
    if req.past_limit:
        result = _empty(req)
    else:
        backend = get_backend()
        try:
            # A savepoint: a failed search must not poison the caller's transaction.
            with transaction.atomic():
                result = forgiving_search(backend, req, exact=exact)
        except backend.errors:
            # Logged with the query for the operator; the reader gets a plain answer.
            logger.exception("search failed for query %r", req.text)
            result = _empty(req)
            messages.append("Tìm kiếm tạm thời gián đoạn, xin thử lại sau.")
    if result.total > 0 and req.page > result.num_pages:
        messages.append(f"Không có trang {req.page}: kết quả chỉ có {result.num_pages} trang.")
    result.messages = messages + result.messages
    result.filters = req.filters
    for facet in result.facets.get("format", []):
        facet.label = FORMAT_LABELS.get(facet.value, facet.value)
    return result


def forgiving_search(backend, req: SearchRequest, *, exact=False) -> SearchResult:
    """The reader's words first; when they find nothing, in this order until something is
    found: the same words on every outlet (when searching one), the vocabulary's
    corrections (typos, words typed together: `search.vocabulary`), then a relaxed search
    needing most of the words, stop words dropped. Each step says so in `notes`.
    A query with results but unknown words gets a "did you mean" `suggestion`."""
    result = backend.search(req)
    if not req.words:
        return result
    rewrite = vocabulary.rewrite(req.words)
    corrections = rewrite.combinations() if rewrite.unknown else []
    if result.total or exact:
        if corrections:
            result.suggestion = " ".join(corrections[0])
        return result
    attempts = [(words, None) for words in corrections]
    base = corrections[0] if corrections else req.words
    content = vocabulary.content_words(base)
    if content != base:
        attempts.append((content, len(content)))
    attempts += [(content, need) for need in vocabulary.relaxed_levels(len(content))]
    # (words, min_match, scopes): the reader's words on every outlet first (they were
    # just tried on one), then each rewrite on the reader's outlet, then on every outlet.
    scopes = [req.site_id] if req.site_id is None else [req.site_id, None]
    plan = [(req.words, None, [None])] if req.site_id is not None else []
    plan += [(words, need, scopes) for words, need in attempts]
    for words, min_match, tried_scopes in plan:
        tried = dataclasses.replace(req, words=words, min_match=min_match)
        for scope in tried_scopes:
            scoped = dataclasses.replace(tried, site_id=scope)
            if backend.exists(scoped):
                found = backend.search(scoped)
                return _forgiven(req, found, tried, widened=scope != req.site_id)
    return result


def _forgiven(req, result, tried, *, widened) -> SearchResult:
    typed = " ".join(req.words)
    searched = " ".join(tried.words)
    result.query = req.text
    result.searched_for = searched
    result.corrected = tried.min_match is None and tried.words != req.words
    result.relaxed = tried.min_match is not None
    result.widened = widened
    if result.corrected:
        result.notes.append(
            f"Không tìm thấy kết quả cho “{typed}”: đang hiển thị kết quả cho “{searched}”."
        )
    if result.relaxed:
        result.notes.append(
            "Không có bài nào chứa đủ mọi từ: đang hiển thị các bài chứa nhiều từ nhất trong "
            f"“{searched}”."
        )
    if widened:
        outlet = Outlet.objects.filter(site_id=req.site_id).values_list("name", flat=True)
        name = outlet.first() or "ấn phẩm này"
        result.notes.append(
            f"Không có kết quả trên {name}: đang hiển thị kết quả trên tất cả ấn phẩm."
        )
    return result


def _empty(req: SearchRequest) -> SearchResult:
    return SearchResult(
        query=req.text, hits=[], total=0, page=req.page, per_page=req.per_page, facets={}
    )


def site_root_urls() -> dict[int, str]:
    """Site id → root URL, to link hits on other outlets (Wagtail's cached site roots:
    no query per search)."""
    return {root.site_id: root.root_url for root in Site.get_site_root_paths()}
