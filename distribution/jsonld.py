"""NewsArticle JSON-LD (schema.org) for story pages. Paid stories say
`isAccessibleForFree: false` and mark the paid part (`.paywall-paid`, the wrapper the
paywall puts around paid blocks), as Google's paywalled-content guidance asks; no
article body is given, so no paid text goes into the markup."""

import json

from paywall.gating import is_free, public_text

from .renditions import rendition_or_none

PAID_SELECTOR = ".paywall-paid"


def story_jsonld(story, request=None) -> dict:
    site = story.get_site()
    outlet = getattr(site, "outlet", None) if site else None
    url = story.get_full_url(request)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": story.title[:110],
        "description": story.standfirst,
        "inLanguage": "vi",
        "datePublished": story.first_published_at.isoformat() if story.first_published_at else None,
        "dateModified": (story.last_published_at or story.first_published_at).isoformat()
        if story.first_published_at
        else None,
        "articleSection": story.get_parent().title,
        "keywords": [t.name for t in story.tags.all()],
        "author": [{"@type": "Person", "name": name} for name in story.byline_names()],
    }
    if outlet:
        data["publisher"] = {
            "@type": "NewsMediaOrganization",
            "name": outlet.agency.name,
            "url": site.root_url,
        }
    rendition = story.lead_image_id and rendition_or_none(
        story.lead_image, "fill-1200x675|format-jpeg", used_for="story's JSON-LD"
    )
    if rendition:
        image = rendition.url
        if request is not None and not image.startswith("http"):
            image = request.build_absolute_uri(image)
        data["image"] = [image]
    if is_free(story):
        data["isAccessibleForFree"] = True
        data["articleBody"] = public_text(story)
    else:
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": PAID_SELECTOR,
        }
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def dumps_for_script(data: dict) -> str:
    """JSON safe inside <script>: no '</script>' or HTML comment can be formed."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
