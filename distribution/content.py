"""One public view of a story for every outside route (platforms, feeds, sharing API).

Text comes only from `paywall.gating` (teaser blocks / public text), so paid text never
leaves through distribution."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import strip_tags
from wagtail.images import get_image_model
from wagtail.models import Page

from newsroom.media.access import is_protected
from newsroom.models import Outlet, StoryTag
from paywall.gating import is_free, public_text, teaser_blocks

# Rendition sent to platforms: 1200 px wide JPEG stays well under Zalo's 1 MB image limit
# (the demo's 1200x675 photos render to about 60 KB).
PLATFORM_IMAGE_SPEC = "width-1200|format-jpeg|jpegquality-80"


@dataclass
class PublicStory:
    pk: int
    guid: str
    url: str
    title: str
    standfirst: str
    authors: list[str]
    section: str
    section_slug: str
    tags: list[str]
    published: datetime
    updated: datetime
    is_free: bool
    access_level: str
    text: str
    blocks: list[dict] = field(default_factory=list)
    image_url: str = ""
    image_file: str = ""  # storage name (default_storage): local disk or object storage
    image_caption: str = ""
    agency_name: str = ""
    outlet_name: str = ""
    place: str = ""
    primary_format: str = "text"
    revision_id: int | None = None
    video_file: str = ""  # storage name of the cut's original
    video_url: str = ""
    video_thumbnail_url: str = ""
    # What a platform that requires a cover (Zalo) shows: the lead image, else the
    # outlet's default cover (DistributionSettings); empty when neither exists.
    cover_url: str = ""
    cover_file: str = ""


def _absolute(root: str, url: str) -> str:
    if url.startswith("http://") or url.startswith("https://"):
        return url
    return root + url


def story_guid(story) -> str:
    return f"urn:hoitu:story:{story.pk}"


def _block_dicts(story, root: str) -> list[dict]:
    out = []
    for block in teaser_blocks(story):
        value = block.value
        if block.block_type == "paragraph":
            out.append({"type": "text", "html": value.source, "text": strip_tags(value.source)})
        elif block.block_type == "heading":
            out.append({"type": "heading", "text": str(value)})
        elif block.block_type == "quote":
            out.append({"type": "quote", "text": value.get("text", "")})
        elif block.block_type == "fact_box":
            body = value.get("body")
            out.append(
                {
                    "type": "text",
                    "html": getattr(body, "source", ""),
                    "text": strip_tags(getattr(body, "source", "")),
                }
            )
        elif block.block_type == "image" and value.get("image"):
            rendition = value["image"].get_rendition(PLATFORM_IMAGE_SPEC)
            out.append(
                {
                    "type": "image",
                    "url": _absolute(root, rendition.url),
                    "caption": value.get("caption") or "",
                }
            )
    return out


def byline_and_image_prefetches(image_spec: str) -> list:
    """For `prefetch_related`: a story's bylines and its lead image with the `image_spec`
    rendition, so a list of stories costs a few queries rather than a few per story."""
    images = get_image_model().objects.prefetch_renditions(image_spec)
    return ["bylines__author", Prefetch("lead_image", queryset=images)]


def sections_of(stories) -> dict[str, Page]:
    """{story path: its parent page (the section)}, in one query."""
    parents = {story.path: story.path[: -story.steplen] for story in stories}
    pages = Page.objects.in_bulk(set(parents.values()), field_name="path")
    return {path: pages[parent] for path, parent in parents.items()}


def public_story(story) -> PublicStory:
    return public_stories([story])[0]


def public_stories(stories) -> list[PublicStory]:
    """Public views of many stories, their relations, sections and outlets fetched once."""
    stories = [story.specific for story in stories]
    prefetch_related_objects(
        stories,
        "place",
        "video",
        # In the order the tags were added, as `story.tags.all()` gives them.
        Prefetch("tagged_items", queryset=StoryTag.objects.select_related("tag").order_by("pk")),
        *byline_and_image_prefetches(PLATFORM_IMAGE_SPEC),
    )
    sections = sections_of(stories)
    parts = {story.pk: story.get_url_parts() or (None, "", "") for story in stories}
    outlets = Outlet.objects.select_related("agency").in_bulk(
        {site_id for site_id, _, _ in parts.values() if site_id}, field_name="site_id"
    )
    views = []
    for story in stories:
        site_id, root, _ = parts[story.pk]
        views.append(_public_story(story, sections[story.path], outlets.get(site_id), root or ""))
    return views


def _rendition(image, root: str) -> tuple[str, str]:
    """(absolute URL, storage name) of an image's platform rendition."""
    rendition = image.get_rendition(PLATFORM_IMAGE_SPEC)
    return _absolute(root, rendition.url), rendition.file.name


def default_cover(outlet, root: str) -> tuple[str, str]:
    """The outlet's default cover for platforms that require one, or ("", "")."""
    from .models import DistributionSettings

    if outlet is None:
        return "", ""
    cover = DistributionSettings.for_site(outlet.site).zalo_cover
    return _rendition(cover, root) if cover else ("", "")


def _public_story(story, section, outlet, root: str) -> PublicStory:
    image_url = image_file = caption = ""
    if story.lead_image_id:
        image_url, image_file = _rendition(story.lead_image, root)
        caption = story.lead_image.title
    cover_url, cover_file = (image_url, image_file) if image_url else default_cover(outlet, root)
    video_file = video_url = video_thumbnail = ""
    # The cut of a paid story follows its text's gate: no platform, feed or partner gets
    # it (Zalo would upload it as a public video); nor a cut a paid story also uses.
    if story.video_id and story.video.file and is_free(story) and not is_protected(story.video):
        video = story.video
        video_url = _absolute(root, video.file.url)
        video_file = video.file.name
        if video.thumbnail:
            video_thumbnail = _absolute(root, video.thumbnail.url)
    published = story.first_published_at or story.last_published_at
    updated = story.last_published_at or published
    return PublicStory(
        pk=story.pk,
        guid=story_guid(story),
        url=story.get_full_url() or "",
        title=story.title,
        standfirst=story.standfirst,
        authors=story.byline_names(),
        section=section.title,
        section_slug=section.slug,
        tags=[item.tag.name for item in story.tagged_items.all()],
        published=published,
        updated=max(updated, published) if updated and published else (updated or published),
        is_free=is_free(story),
        access_level=story.access_level,
        text=public_text(story),
        blocks=_block_dicts(story, root),
        image_url=image_url,
        image_file=image_file,
        image_caption=caption,
        agency_name=outlet.agency.name if outlet else "",
        outlet_name=outlet.name if outlet else "",
        place=story.place.name if story.place_id else "",
        primary_format=story.primary_format,
        revision_id=story.live_revision_id,
        video_file=video_file,
        video_url=video_url,
        video_thumbnail_url=video_thumbnail or cover_url,
        cover_url=cover_url,
        cover_file=cover_file,
    )
