"""Staff search of the archive, in the Wagtail admin, limited to the user's agencies."""

from django.apps import apps
from django.shortcuts import render

from newsroom.selectors import user_agencies

from ..query import FACETS
from ..selectors import story_search


def staff_search(request):
    params = request.GET
    agencies = user_agencies(request.user)
    result = story_search(
        query=params.get("q", ""),
        filters={key: params.get(key) for key in (*FACETS, "from", "to") if key in params},
        sort=params.get("sort", "newest" if not params.get("q") else "relevance"),
        page=params.get("page", 1),
        per_page=30,
        agency_ids=list(agencies.values_list("pk", flat=True)),
    )
    return render(
        request,
        "search/admin/staff_search.html",
        {
            "result": result,
            "q": params.get("q", ""),
            "agencies": agencies,
            "transcript_hits": _transcript_hits(request.user, params.get("q", "")),
        },
    )


def _transcript_hits(user, query):
    """Cuts whose corrected transcript holds the words (transcripts app, when installed)."""
    if not query.strip() or not apps.is_installed("transcripts"):
        return None
    from transcripts.selectors import transcript_search

    return transcript_search(user, query[:200])
