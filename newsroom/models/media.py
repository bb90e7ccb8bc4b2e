from wagtailmedia.models import AbstractMedia


class MediaAsset(AbstractMedia):
    """An audio (radio cut) or video (TV cut) file attached to stories through
    wagtailmedia. Processing into renditions is the media pipeline's job."""

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "duration",
        "width",
        "height",
        "thumbnail",
        "tags",
    )

    class Meta(AbstractMedia.Meta):
        verbose_name = "âm thanh / video"
        verbose_name_plural = "âm thanh / video"
