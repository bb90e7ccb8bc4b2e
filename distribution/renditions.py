"""An image's rendition for feeds and structured data, or None when its original file is
gone (a lost disk, an object storage outage, a restore without media): the feed or the
story page goes out without that image instead of answering 500 for every reader. Wagtail's
own `{% image %}` tag does the same for pages (a "not found" rendition)."""

import logging

from wagtail.images.models import SourceImageIOError

logger = logging.getLogger(__name__)


def rendition_or_none(image, spec: str, *, used_for: str):
    try:
        return image.get_rendition(spec)
    except SourceImageIOError:
        logger.warning("Image %s: original file missing, left out of the %s", image.pk, used_for)
        return None
