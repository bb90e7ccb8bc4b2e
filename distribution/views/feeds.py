"""Per-outlet feeds: RSS 2.0 (site and section), Atom, Google News sitemap. Site-aware
through Wagtail's Site.find_for_request; text only from the paywall's public view."""

from datetime import timedelta

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET
from feedgen.feed import FeedGenerator
from wagtail.models import Site

from newsroom.models import SectionPage, StoryPage
from newsroom.selectors import outlet_for_site
from paywall.gating import public_text

from ..content import byline_and_image_prefetches, sections_of
from ..renditions import rendition_or_none

FEED_ITEMS = 30
NEWS_SITEMAP_MAX = 1000  # Google News sitemap: at most 1,000 URLs
NEWS_SITEMAP_WINDOW = timedelta(days=2)  # ... of articles from the last two days
FEED_CACHE_SECONDS = 120
FEED_IMAGE_SPEC = "fill-800x450|format-jpeg"


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No outlet at this address")
    return site


def _stories(root):
    return StoryPage.objects.live().public().descendant_of(root).order_by("-first_published_at")


def _feed(request, site, stories, *, title, link, self_url, description):
    outlet = outlet_for_site(site)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.link(href=link, rel="alternate")
    fg.link(href=self_url, rel="self")
    if settings.DISTRIBUTION_WEBSUB_HUB:
        fg.link(href=settings.DISTRIBUTION_WEBSUB_HUB, rel="hub")
    fg.description(description or title)
    fg.subtitle(description or title)
    fg.language("vi")
    if outlet:
        fg.author({"name": outlet.agency.name})
        fg.rights(f"© {outlet.agency.name}")
    stories = list(stories[:FEED_ITEMS])
    prefetch_related_objects(stories, *byline_and_image_prefetches(FEED_IMAGE_SPEC))
    sections = sections_of(stories)
    newest = None
    for story in stories:
        url = story.get_full_url(request)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(story.title)
        entry.link(href=url)
        summary = story.standfirst
        entry.description(summary)
        entry.summary(summary)
        text = public_text(story)
        if text:
            entry.content(text, type="text")
        names = story.byline_names()
        if names and outlet and outlet.agency.email:
            # RSS 2.0 <author> is an address; the newsroom's, with the bylines as the name.
            entry.author({"name": ", ".join(names), "email": outlet.agency.email})
        entry.category(term=sections[story.path].title)
        when = story.first_published_at
        entry.published(when)
        entry.updated(story.last_published_at or when)
        rendition = story.lead_image_id and rendition_or_none(
            story.lead_image, FEED_IMAGE_SPEC, used_for="feed"
        )
        if rendition:
            image_url = request.build_absolute_uri(rendition.url)
            entry.enclosure(
                image_url, str(rendition.file.size if rendition.file else 0), "image/jpeg"
            )
        newest = max(newest, when) if newest else when
    fg.updated(newest or timezone.now())
    return fg


def _site_feed(request):
    """The whole outlet's feed (RSS and Atom are two renderings of it)."""
    site = _site(request)
    outlet = outlet_for_site(site)
    return _feed(
        request,
        site,
        _stories(site.root_page),
        title=outlet.name if outlet else site.site_name,
        link=request.build_absolute_uri("/"),
        self_url=request.build_absolute_uri(),
        description=outlet.tagline if outlet else "",
    )


@require_GET
@cache_page(FEED_CACHE_SECONDS)
def site_rss(request):
    fg = _site_feed(request)
    return HttpResponse(fg.rss_str(pretty=True), content_type="application/rss+xml; charset=utf-8")


@require_GET
@cache_page(FEED_CACHE_SECONDS)
def section_rss(request, section_slug):
    site = _site(request)
    section = (
        SectionPage.objects.live()
        .public()
        .child_of(site.root_page)
        .filter(slug=section_slug)
        .first()
    )
    if section is None:
        raise Http404("No such section")
    outlet = outlet_for_site(site)
    title = f"{section.title} — {outlet.name if outlet else site.site_name}"
    fg = _feed(
        request,
        site,
        _stories(section),
        title=title,
        link=section.get_full_url(request),
        self_url=request.build_absolute_uri(),
        description=section.intro or title,
    )
    return HttpResponse(fg.rss_str(pretty=True), content_type="application/rss+xml; charset=utf-8")


@require_GET
@cache_page(FEED_CACHE_SECONDS)
def site_atom(request):
    fg = _site_feed(request)
    return HttpResponse(
        fg.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8"
    )


@require_GET
@cache_page(FEED_CACHE_SECONDS)
def news_sitemap(request):
    """Google News sitemap: stories of the last two days, newest first, at most 1,000."""
    from lxml import etree

    site = _site(request)
    outlet = outlet_for_site(site)
    since = timezone.now() - NEWS_SITEMAP_WINDOW
    stories = _stories(site.root_page).filter(first_published_at__gte=since)[:NEWS_SITEMAP_MAX]
    sm = "http://www.sitemaps.org/schemas/sitemap/0.9"
    news = "http://www.google.com/schemas/sitemap-news/0.9"
    urlset = etree.Element(f"{{{sm}}}urlset", nsmap={None: sm, "news": news})
    name = outlet.name if outlet else site.site_name
    for story in stories:
        url = etree.SubElement(urlset, f"{{{sm}}}url")
        etree.SubElement(url, f"{{{sm}}}loc").text = story.get_full_url(request)
        item = etree.SubElement(url, f"{{{news}}}news")
        publication = etree.SubElement(item, f"{{{news}}}publication")
        etree.SubElement(publication, f"{{{news}}}name").text = name
        etree.SubElement(publication, f"{{{news}}}language").text = "vi"
        etree.SubElement(
            item, f"{{{news}}}publication_date"
        ).text = story.first_published_at.isoformat(timespec="seconds")
        etree.SubElement(item, f"{{{news}}}title").text = story.title
    body = etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
