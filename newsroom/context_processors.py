from wagtail.models import Site

from .models import Outlet


def outlet(request):
    """The outlet (and its agency) behind the current site: masthead and legal footer."""
    site = Site.find_for_request(request)
    current = None
    if site is not None:
        current = Outlet.objects.select_related("agency").filter(site=site).first()
    return {"current_outlet": current, "current_site": site}
