"""The shared block library of a story's body."""

from django.utils.functional import cached_property
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtailmedia.blocks import AbstractMediaChooserBlock

from paywall.access import PREVIEW_BREAK_BLOCK


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="ảnh")
    caption = blocks.CharBlock(label="chú thích", required=False, max_length=500)
    credit = blocks.CharBlock(label="nguồn / tác giả ảnh", required=False, max_length=200)

    class Meta:
        icon = "image"
        label = "Ảnh"
        template = "newsroom/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="trích dẫn")
    attribution = blocks.CharBlock(label="người nói", required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = "Trích dẫn"
        template = "newsroom/blocks/quote.html"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="tiêu đề", required=False, max_length=200)
    images = blocks.ListBlock(CaptionedImageBlock(), label="ảnh", min_num=1)

    class Meta:
        icon = "image"
        label = "Chùm ảnh"
        template = "newsroom/blocks/gallery.html"


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="tiêu đề", max_length=200)
    body = blocks.RichTextBlock(label="nội dung", features=["bold", "italic", "ul", "ol", "link"])

    class Meta:
        icon = "list-ul"
        label = "Hộp thông tin"
        template = "newsroom/blocks/fact_box.html"


class MediaBlock(AbstractMediaChooserBlock):
    """Audio or video cut inside the body; the player starts nothing before a tap."""

    @cached_property
    def widget(self):
        # wagtailmedia's block always offers the untyped chooser; ours is typed and Vietnamese.
        from .media.widgets import WIDGETS

        return WIDGETS[self.media_type]()

    def render_basic(self, value, context=None):
        from django.template.loader import render_to_string

        from .media.access import player_files

        if not value:
            return ""
        # A cut of a paid story gets signed addresses only when the reader may read the
        # part of the story this block is in (paid blocks are only rendered then).
        context = context or {}
        request, page = context.get("request"), context.get("page")
        decisions = getattr(request, "_paywall_decisions", {}) if request else {}
        decision = decisions.get(getattr(page, "pk", None))
        files = player_files(
            value,
            request=request,
            story=page if hasattr(page, "access_level") else None,
            entitled=bool(decision and decision.full),
        )
        return render_to_string(
            "newsroom/includes/media_player.html",
            {"media": value, "files": files, "request": request},
        )


class PreviewBreakBlock(blocks.StaticBlock):
    class Meta:
        icon = "lock"
        label = "Hết phần đọc thử (paywall)"
        admin_text = "Phần sau dấu này chỉ dành cho bạn đọc có quyền (bài giới hạn / thuê bao)."


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label="Đoạn văn",
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
    )
    heading = blocks.CharBlock(label="Tiêu đề phụ", max_length=200, form_classname="title")
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    gallery = GalleryBlock()
    embed = EmbedBlock(label="Nhúng (YouTube, ...)")
    fact_box = FactBoxBlock()
    audio = MediaBlock(media_type="audio", label="Âm thanh")
    video = MediaBlock(media_type="video", label="Video")
    # Named as the paywall expects (paywall.access.PREVIEW_BREAK_BLOCK).
    paywall_break = PreviewBreakBlock()


assert PREVIEW_BREAK_BLOCK in StoryBodyBlock.base_blocks
