"""Reads of the search app: the one search API behind reader pages, the JSON endpoint and
the staff view."""

import logging

from django.db import transaction
from wagtail.models import Site

from newsroom.models.pages import PrimaryFormat

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
) -> SearchResult:
    """Search published stories. `site` limits to one outlet (None: every outlet);
    `agency_ids` limits staff to their agencies. Bad input never raises: its part is
    dropped and `messages` says why; an empty query lists the newest stories."""
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
                result = backend.search(req)
        except backend.errors:
            # Logged with the query for the operator; the reader gets a plain answer.
            logger.exception("search failed for query %r", req.text)
            result = _empty(req)
            messages.append("Tìm kiếm tạm thời gián đoạn, xin thử lại sau.")
    if req.offset >= result.total > 0 and req.page > 1:
        messages.append(f"Không có trang {req.page}: kết quả chỉ có {result.num_pages} trang.")
    result.messages = messages + result.messages
    result.filters = req.filters
    for facet in result.facets.get("format", []):
        facet.label = FORMAT_LABELS.get(facet.value, facet.value)
    return result


def _empty(req: SearchRequest) -> SearchResult:
    return SearchResult(
        query=req.text, hits=[], total=0, page=req.page, per_page=req.per_page, facets={}
    )


def site_root_urls() -> dict[int, str]:
    """Site id → root URL, to link hits on other outlets (Wagtail's cached site roots:
    no query per search)."""
    return {root.site_id: root.root_url for root in Site.get_site_root_paths()}
