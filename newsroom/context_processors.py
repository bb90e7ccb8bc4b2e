from wagtail.models import Site

from .fragments import outlet_for_site


def outlet(request):
    """The outlet (and its agency) behind the current site: masthead and legal footer
    (from the cache: newsroom.fragments.outlet_for_site)."""
    site = Site.find_for_request(request)
    return {
        "current_outlet": outlet_for_site(site),
        "current_site": site,
    }
