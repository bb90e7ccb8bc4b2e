"""Reader search: `/tim-kiem/?q=` on each outlet and the same results as JSON at
`/api/search/?q=`. Thin callers of `search.selectors.story_search`."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Site

from ..query import FACETS
from ..selectors import site_root_urls, story_search

FILTER_KEYS = (*FACETS, "from", "to")
FACET_TITLES = {
    "outlet": "Ấn phẩm",
    "section": "Chuyên mục",
    "format": "Loại hình",
    "year": "Năm",
    "tag": "Chủ đề",
    "place": "Địa bàn",
}
ALL_OUTLETS = "tat-ca"
# `?chinh_xac=1`: search exactly what was typed (no correction, relaxing or widening).
EXACT = "chinh_xac"


def _search(request):
    site = Site.find_for_request(request)
    params = request.GET
    all_outlets = params.get("pham_vi") == ALL_OUTLETS or bool(params.get("outlet"))
    result = story_search(
        query=params.get("q", ""),
        filters={key: params.get(key) for key in FILTER_KEYS if key in params},
        sort=params.get("sort", "relevance"),
        page=params.get("page", 1),
        per_page=params.get("per_page", 20),
        site=None if all_outlets else site,
        exact=params.get(EXACT) == "1",
    )
    roots = site_root_urls()
    for hit in result.hits:
        # Hits on this outlet link relative; hits on another outlet go to its address.
        hit.absolute_url = (
            hit.url if site and hit.site_id == site.pk else roots.get(hit.site_id, "") + hit.url
        )
    return site, all_outlets, result


def _query_string(params, **changes) -> str:
    data = {k: v for k, v in params.items() if v not in ("", None)}
    data.pop("page", None)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return "?" + urlencode(data)


@require_GET
def search_page(request):
    site, all_outlets, result = _search(request)
    params = {k: request.GET.get(k) for k in ("q", "sort", "pham_vi", EXACT, *FILTER_KEYS)}
    facets = []
    for key in FACETS:
        values = result.facets.get(key) or []
        if not values:
            continue
        active = str(request.GET.get(key, ""))
        items = [
            {
                "label": v.label,
                "count": v.count,
                "active": v.value == active,
                "url": _query_string(params, **{key: None if v.value == active else v.value}),
            }
            for v in values
        ]
        facets.append({"key": key, "title": FACET_TITLES[key], "items": items})
    page_links = {
        "previous": _query_string(params, page=result.page - 1) if result.has_previous else None,
        "next": _query_string(params, page=result.page + 1) if result.has_next else None,
    }
    context = {
        "result": result,
        "facets": facets,
        "page_links": page_links,
        "all_outlets": all_outlets,
        "scope_all_url": _query_string(params, pham_vi=ALL_OUTLETS),
        "scope_site_url": _query_string(params, pham_vi=None, outlet=None),
        "sort_newest_url": _query_string(params, sort="newest"),
        "sort_relevance_url": _query_string(params, sort=None),
        "suggestion_url": _query_string(params, q=result.suggestion) if result.suggestion else None,
        "exact_url": _query_string(params, **{EXACT: "1"}),
        "forgiven": result.corrected or result.relaxed or result.widened,
    }
    return render(request, "search/search_page.html", context)


@require_GET
def api_search(request):
    _site, _all, result = _search(request)
    return JsonResponse(
        {
            "query": result.query,
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "num_pages": result.num_pages,
            # A broad query on PostgreSQL: `total` is an estimate, the facets count the
            # newest `ranked_among` matches, which relevance ranks (docs/search.md).
            "approximate": result.approximate,
            "ranked_among": result.rank_window,
            "suggestion": result.suggestion,
            "messages": result.messages,
            # How a query that found nothing was forgiven (docs/search.md).
            "searched_for": result.searched_for,
            "corrected": result.corrected,
            "relaxed": result.relaxed,
            "widened": result.widened,
            "notes": result.notes,
            "hits": [
                {
                    "id": hit.page_id,
                    "url": hit.absolute_url,
                    "headline_html": str(hit.headline),
                    "snippet_html": str(hit.snippet),
                    "outlet": hit.outlet,
                    "section": hit.section,
                    "format": hit.primary_format,
                    "access": hit.access_level,
                    "published_at": hit.published_at.isoformat(),
                }
                for hit in result.hits
            ],
            "facets": {
                key: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for key, values in result.facets.items()
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )
