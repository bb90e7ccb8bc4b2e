"""Podcast feeds (RSS 2.0 with Apple's itunes: tags, written by feedgen) of the radio
programmes marked as podcasts; episodes are their stories with a processed audio cut."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from feedgen.feed import FeedGenerator
from lxml import etree
from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

from newsroom.broadcast_selectors import programme_episodes
from newsroom.media.access import is_protected
from newsroom.models import Programme, RenditionKind

logger = logging.getLogger(__name__)
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEED_EPISODES = 100  # Apple reads the newest; 100 keeps a year of a weekly show


def _cover_url(request, programme) -> str | None:
    image = programme.image or programme.channel.logo
    if image is None:
        return None
    # Apple wants a square JPEG or PNG of 1400–3000 px whose URL ends in .jpg/.png.
    try:
        rendition = image.get_rendition("fill-1400x1400|format-jpeg")
    except SourceImageIOError:
        logger.warning("Podcast %s: cover image %s missing", programme.slug, image.pk)
        return None
    return request.build_absolute_uri(rendition.url)


def _apple_explicit(xml: bytes) -> bytes:
    """feedgen writes itunes:explicit as yes/no; Apple's current spec asks true/false."""
    root = etree.fromstring(xml)
    for el in root.iter(f"{{{ITUNES_NS}}}explicit"):
        el.text = "true" if el.text == "yes" else "false"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def programme_podcast(request, slug):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    programme = get_object_or_404(
        Programme.objects.select_related("channel__outlet__agency", "image", "channel__logo"),
        slug=slug,
        is_podcast=True,
        channel__outlet__site=site,
    )
    agency = programme.channel.outlet.agency
    page_url = request.build_absolute_uri(reverse("newsroom:programme", args=[slug]))
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(programme.name)
    fg.link(href=page_url, rel="alternate")
    fg.link(href=request.build_absolute_uri(), rel="self")
    fg.description(programme.description or programme.name)
    fg.language("vi")
    fg.copyright(f"© {agency.name}")
    author = programme.podcast_author or agency.name
    fg.author({"name": author, "email": agency.email or None} if agency.email else {"name": author})
    fg.podcast.itunes_author(author)
    fg.podcast.itunes_owner(name=agency.name, email=agency.email or "noreply@example.invalid")
    fg.podcast.itunes_category(programme.podcast_category or "News")
    fg.podcast.itunes_explicit("yes" if programme.podcast_explicit else "no")
    fg.podcast.itunes_summary(programme.description or programme.name)
    if cover := _cover_url(request, programme):
        fg.image(url=cover, title=programme.name, link=page_url)
        fg.podcast.itunes_image(cover)
    for story in programme_episodes(programme)[:FEED_EPISODES]:
        audio = story.audio
        if is_protected(audio):
            continue  # a paid story also plays this cut: never at a public address
        enclosure = audio.rendition(RenditionKind.AUDIO_MP3) or audio.rendition(
            RenditionKind.AUDIO_AAC
        )
        if enclosure is None:
            continue
        entry = fg.add_entry(order="append")
        entry.guid(f"hoitu:story:{story.pk}:audio:{audio.pk}", permalink=False)
        entry.title(story.title)
        entry.link(href=request.build_absolute_uri(story.url))
        entry.description(story.standfirst)
        entry.published(story.first_published_at)
        entry.enclosure(
            request.build_absolute_uri(enclosure.url), str(enclosure.size), enclosure.mime_type
        )
        entry.podcast.itunes_duration(int(round(enclosure.duration or audio.duration)))
        entry.podcast.itunes_explicit("yes" if programme.podcast_explicit else "no")
        entry.podcast.itunes_summary(story.standfirst)
    response = HttpResponse(
        _apple_explicit(fg.rss_str(pretty=True)), content_type="application/rss+xml"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
