"""Wagtail's page routing for reader requests, from the cache.

Wagtail finds the page of a URL one level at a time: the site (one query), then for each
level the child by slug and its specific row (two queries each), then the view
restrictions of the page and its ancestors (two more): 8 queries for a story before any
of it is rendered. The answer is the same for every reader until a page is saved,
published, unpublished, moved or deleted, a site edited or a view restriction changed,
which is exactly when the fragment generation moves (newsroom/fragments.py). So:

- the sites are kept per process for the current generation and matched as Wagtail does
  (`Site.find_for_request`): no query;
- a GET or HEAD that Wagtail routed to a page (the page's own address, nothing left for a
  routable page's sub-views) is stored in the cache under the generation, the site and a
  hash of the path: the specific page as loaded by the routing (its parents with it), the
  site Wagtail gives the page (`get_site()`) and its view restrictions. The next request
  for that address gets them in one cache read and hands them to Wagtail
  (`request._wagtail_route_for_request`, which Wagtail's own `serve` reads); the view
  restrictions are still checked against that reader by Wagtail's hook, only their rows
  come from the cache.

Only addresses that lead to a live page are stored (a 404 is routed again each time, so
unknown paths add no keys), nothing about the reader is. A preview never comes through
here (Wagtail serves it from the admin)."""

import hashlib

from django.http.request import split_domain_port
from wagtail.models import Page, Site

from . import fragments


def _site_index() -> list[tuple]:
    """(pk, hostname, port, is_default_site) of every site, for the current generation
    (one query per generation, then the cache)."""
    return fragments.remembered(
        lambda: list(Site.objects.values_list("pk", "hostname", "port", "is_default_site")),
        "site-index",
    )


def _site(pk):
    """One site with its root page, for the current generation."""
    return fragments.remembered(
        lambda: Site.objects.select_related("root_page").filter(pk=pk).first(), "site", pk
    )


def site_for_request(request):
    """Site.find_for_request without the query: the same choice as Wagtail's
    get_site_for_hostname (exact host and port, then host of the default site, then the
    default site unless exactly one other site has the host), kept on the request."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    hostname = split_domain_port(request._get_raw_host())[0]
    port = str(request.get_port())

    def rank(row):
        _, host, site_port, default = row
        if host == hostname and str(site_port) == port:
            return 0
        if host == hostname and default:
            return 1
        return 2 if default else 3

    found = None
    candidates = sorted((row for row in _site_index() if row[1] == hostname or row[3]), key=rank)
    if candidates:
        first = rank(candidates[0])
        if len(candidates) == 1 or first in (0, 1):
            found = candidates[0]
        elif first == 2:
            found = candidates[len(candidates) == 2]
    request._wagtail_site = _site(found[0]) if found else None
    return request._wagtail_site


def _route_key(site, path: str) -> str:
    return fragments.fragment_key(
        "route",
        site.pk,
        hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(),
    )


def _own_address(page, site, path: str) -> bool:
    """The path is the page's own address on the site (no sub-view of a routable page)."""
    root = site.root_page.url_path
    if not page.url_path.startswith(root):
        return False
    mine = [c for c in page.url_path[len(root) :].split("/") if c]
    return mine == [c for c in path.split("/") if c]


def route(request, path: str) -> None:
    """Route the request from the cache, or route it as Wagtail does and remember the
    answer; either way Wagtail's `serve` then finds it on the request."""
    site = site_for_request(request)
    if site is None or hasattr(request, "_wagtail_route_for_request"):
        return
    key = _route_key(site, path)
    held = fragments.read(key)
    if held is not None:
        page, page_site, restrictions = held
        page._hoitu_site = page_site
        page._hoitu_view_restrictions = restrictions
        # No sub-path is left (see _own_address): Page.route or a routable page's index
        # answers from the page alone, without a query.
        request._wagtail_route_for_request = page.route(request, [])
        return
    result = Page.route_for_request(request, path)
    if result is None or not hasattr(result[0], "_hoitu_view_restrictions"):
        return
    page = result[0]
    if not page.live or not _own_address(page, site, path):
        return
    restrictions = list(page.get_view_restrictions())
    page_site = page.get_site()
    fragments.store(key, (page, page_site, restrictions))
    page._hoitu_site = page_site
    page._hoitu_view_restrictions = restrictions


class CachedRoutePageMixin:
    """For the reader page models: a page that came through `route` knows its site and
    its view restrictions without a query (any other instance asks the database)."""

    _hoitu_site = None
    _hoitu_view_restrictions = None

    def get_site(self):
        if self._hoitu_site is not None:
            return self._hoitu_site
        return super().get_site()

    def get_view_restrictions(self):
        if self._hoitu_view_restrictions is not None:
            return self._hoitu_view_restrictions
        return super().get_view_restrictions()


class ReaderRouteMiddleware:
    """Routes GET and HEAD requests for Wagtail pages through `route`."""

    def __init__(self, get_response):
        from wagtail.views import serve  # not at import: the models import this module

        self.get_response = get_response
        self.serve = serve

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is self.serve and request.method in ("GET", "HEAD"):
            route(request, view_kwargs.get("path", view_args[0] if view_args else ""))
        return None
