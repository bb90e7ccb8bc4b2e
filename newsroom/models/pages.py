from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from paywall.access import AccessLevel

from .. import fragments
from ..blocks import StoryBodyBlock
from ..forms import StoryPageForm, VietnamesePageForm
from ..media.widgets import CutChooserPanel
from ..panels import SectionPanel
from ..routing import CachedRoutePageMixin

STORIES_PER_PAGE = 20
# "Xem thêm": how many related stories an editor may list under a story.
RELATED_STORIES_MAX = 5


def paginate(request, queryset, per_page=STORIES_PER_PAGE):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("trang", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage as exc:
        raise Http404("Không có trang này.") from exc


class LazyRows:
    """A list for Paginator whose length is known and whose queryset is made (and
    queried) only when rows are read."""

    def __init__(self, make, count: int):
        self._make = make
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):  # Paginator.page(): still nothing queried
            return LazyRows(lambda: self._make()[index], len(range(self._count)[index]))
        return self._make()[index]

    def __iter__(self):
        return iter(self._make())


class HomePage(CachedRoutePageMixin, RoutablePageMixin, Page):
    """Trang chủ of one outlet (the root of its Wagtail Site)."""

    intro = models.CharField("giới thiệu", max_length=300, blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["newsroom.SectionPage"]
    template = "newsroom/home_page.html"
    base_form_class = VietnamesePageForm
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = "trang chủ ấn phẩm"

    def stories(self):
        return (
            StoryPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("lead_image")
            .order_by("-first_published_at")
        )

    def latest_stories(self):
        return list(self.stories()[:7])

    def section_lists(self):
        """(section, its 4 latest stories) for each section in the menu that has any."""
        stories = self.stories()
        sections = []
        for section in self.get_children().live().public().in_menu().specific():
            items = list(stories.child_of(section)[:4])
            if items:
                sections.append((section, items))
        return sections

    def get_context(self, request, *args, **kwargs):
        # The lists are read by the template inside a cached fragment (home_page.html):
        # callables, so nothing is queried when the fragment is in the cache.
        context = super().get_context(request, *args, **kwargs)
        context["latest"] = self.latest_stories
        context["sections"] = self.section_lists
        return context

    @path("tag/<str:tag>/", name="tag")
    def tag_view(self, request, tag):
        from .pages import StoryTag

        tag_obj = StoryTag.tag_model().objects.filter(slug=tag).first()
        if tag_obj is None:
            raise Http404("Không có chủ đề này.")
        stories = self.stories().filter(tags__slug=tag)
        return self.render(
            request,
            context_overrides={"tag": tag_obj, "page_obj": paginate(request, stories)},
            template="newsroom/tag_page.html",
        )

    @path("tac-gia/<slug:slug>/", name="author")
    def author_view(self, request, slug):
        from .agencies import StaffProfile

        profile = get_object_or_404(StaffProfile.objects.select_related("user"), slug=slug)
        stories = self.stories().filter(bylines__author=profile.user).distinct()
        return self.render(
            request,
            context_overrides={"profile": profile, "page_obj": paginate(request, stories)},
            template="newsroom/author_page.html",
        )


class SectionPage(CachedRoutePageMixin, Page):
    """Chuyên mục: a desk's section of one outlet."""

    intro = models.CharField("giới thiệu", max_length=300, blank=True)

    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.StoryPage"]
    template = "newsroom/section_page.html"
    base_form_class = VietnamesePageForm
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = "chuyên mục"
        verbose_name_plural = "chuyên mục"

    def stories(self):
        return (
            StoryPage.objects.live()
            .public()
            .child_of(self)
            .select_related("lead_image")
            .order_by("-first_published_at")
        )

    def get_context(self, request, *args, **kwargs):
        # The list is read inside a cached fragment (section_page.html): its length comes
        # from the fragment cache, its rows are queried only when the fragment is rendered.
        context = super().get_context(request, *args, **kwargs)
        count = fragments.remembered(lambda: self.stories().count(), "section-count", self.pk)
        context["page_obj"] = paginate(request, LazyRows(self.stories, count))
        return context


class PrimaryFormat(models.TextChoices):
    TEXT = "text", "Văn bản"
    RADIO = "radio", "Phát thanh"
    TV = "tv", "Truyền hình"
    MULTIMEDIA = "multimedia", "Đa phương tiện"
    LONGFORM = "longform", "Long-form (bài dài)"


class StoryTag(TaggedItemBase):
    content_object = ParentalKey(
        "newsroom.StoryPage",
        related_name="tagged_items",
        on_delete=models.CASCADE,
        verbose_name="bài",
    )

    class Meta:
        verbose_name = "thẻ của bài"
        verbose_name_plural = "thẻ của bài"

    @classmethod
    def tag_model(cls):
        return cls._meta.get_field("tag").remote_field.model


class StoryPage(CachedRoutePageMixin, Page):
    """Tin bài: one story produced once for text, radio and TV."""

    standfirst = models.TextField("sapo", max_length=600)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="ảnh đại diện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(StoryBodyBlock(), verbose_name="nội dung", blank=True)
    primary_format = models.CharField(
        "loại hình gốc", max_length=16, choices=PrimaryFormat.choices, default=PrimaryFormat.TEXT
    )
    contributors = models.CharField(
        "cộng tác viên (ghi tên)",
        max_length=300,
        blank=True,
        help_text="Tác giả ngoài tòa soạn, cách nhau bằng dấu phẩy.",
    )
    tags = ClusterTaggableManager("chủ đề", through=StoryTag, blank=True)
    place = models.ForeignKey(
        "newsroom.Place",
        verbose_name="địa bàn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stories",
    )
    political_task = models.BooleanField("phục vụ nhiệm vụ chính trị", default=False)
    essential_information = models.BooleanField("thông tin thiết yếu", default=False)
    national_defence = models.BooleanField("quốc phòng, an ninh", default=False)
    commission = models.ForeignKey(
        "newsroom.Commission",
        verbose_name="thuộc đặt hàng",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stories",
    )
    access_level = models.CharField(
        "quyền đọc", max_length=10, choices=AccessLevel.choices, default=AccessLevel.FREE
    )
    audio = models.ForeignKey(
        settings.WAGTAILMEDIA["MEDIA_MODEL"],
        verbose_name="bản phát thanh",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"type": "audio"},
    )
    video = models.ForeignKey(
        settings.WAGTAILMEDIA["MEDIA_MODEL"],
        verbose_name="bản truyền hình",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"type": "video"},
    )

    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list = []
    template = "newsroom/story_page.html"
    base_form_class = StoryPageForm

    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.FilterField("primary_format"),
        index.FilterField("access_level"),
    ]

    # What the reporter fills in, all on the first tab: classification sits under the
    # body, not on a separate "promote" tab nobody opens.
    classification_panel = MultiFieldPanel(
        [
            SectionPanel(heading="Chuyên mục"),
            FieldPanel(
                "place",
                heading="Địa bàn (xã/phường)",
                help_text="Gõ tên xã/phường, có dấu hay không dấu: “muong lat” tìm ra Mường Lát.",
            ),
            FieldPanel(
                "tags",
                heading="Chủ đề",
                help_text="Các chủ đề cách nhau bằng dấu phẩy.",
            ),
            FieldPanel("primary_format", heading="Loại hình gốc"),
            FieldRowPanel(
                [
                    FieldPanel("political_task"),
                    FieldPanel("essential_information"),
                    FieldPanel("national_defence"),
                ],
                heading="Tính chất",
            ),
            FieldPanel("commission", heading="Thuộc đặt hàng của Nhà nước"),
            FieldPanel(
                "access_level",
                heading="Quyền đọc",
                help_text="Miễn phí, giới hạn số bài miễn phí mỗi tháng, hay chỉ cho bạn đọc trả phí.",
            ),
        ],
        heading="Phân loại và quyền đọc",
    )
    content_panels = [
        TitleFieldPanel(
            "title",
            heading="Tiêu đề",
            placeholder="Tiêu đề bài*",
            help_text="Tiêu đề bài như bạn đọc sẽ thấy; đường dẫn bài tạo từ tiêu đề, không dấu.",
        ),
        FieldPanel("standfirst"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                InlinePanel("bylines", label="tác giả", min_num=0),
                FieldPanel("contributors"),
            ],
            heading="Tác giả",
        ),
        classification_panel,
        MultiFieldPanel(
            [
                CutChooserPanel("audio", media_type="audio"),
                CutChooserPanel("video", media_type="video"),
            ],
            heading="Bản phát thanh / truyền hình",
        ),
        InlinePanel(
            "related_links",
            label="bài xem thêm",
            heading="Xem thêm",
            help_text=f"Tối đa {RELATED_STORIES_MAX} bài đã đăng của cùng ấn phẩm, hiện dưới bài "
            "theo thứ tự này. Bài nào bị gỡ thì tự biến mất khỏi mục Xem thêm.",
            max_num=RELATED_STORIES_MAX,
        ),
        InlinePanel("corrections", label="đính chính", heading="Đính chính sau khi đăng"),
    ]
    seo_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug"),
                FieldPanel(
                    "seo_title",
                    heading="Tiêu đề trên công cụ tìm kiếm",
                    help_text="Để trống thì dùng tiêu đề bài.",
                ),
                FieldPanel(
                    "search_description",
                    heading="Mô tả trên công cụ tìm kiếm",
                    help_text="Để trống thì dùng sapo.",
                ),
            ],
            heading="Đường dẫn và tìm kiếm",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Nội dung"),
            ObjectList(seo_panels, heading="Tối ưu tìm kiếm (SEO)"),
            ObjectList(Page.settings_panels, heading="Lịch đăng và bình luận"),
        ],
        base_form_class=StoryPageForm,
    )

    class Meta:
        verbose_name = "tin bài"
        verbose_name_plural = "tin bài"

    @property
    def section(self):
        return self.get_parent().specific

    @property
    def published_at(self):
        return self.first_published_at or self.go_live_at or self.latest_revision_created_at

    def related_for_readers(self) -> list["StoryPage"]:
        """The "Xem thêm" stories readers see, in the editors' order: the live ones only
        (a story taken down or unpublished drops out; the fragment cache is retired by
        its unpublish). One query on a live page, without the stories' bodies; a preview
        reads its own, unsaved list."""
        links = self.related_links.select_related("target").only(
            "sort_order", "story_id", "target__title", "target__url_path", "target__live"
        )
        return [link.target for link in links if link.target.live]

    def byline_names(self) -> list[str]:
        names = [b.display_name for b in self.bylines.all()]
        names += [c.strip() for c in self.contributors.split(",") if c.strip()]
        return names


class StoryByline(Orderable):
    story = ParentalKey(
        StoryPage, related_name="bylines", on_delete=models.CASCADE, verbose_name="bài"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="phóng viên",
        on_delete=models.PROTECT,
        related_name="bylines",
    )
    credit = models.CharField("vai trò (tùy chọn)", max_length=60, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "tác giả của bài"
        verbose_name_plural = "tác giả của bài"

    panels = [FieldPanel("author"), FieldPanel("credit")]

    @property
    def display_name(self) -> str:
        return self.author.get_full_name() or self.author.get_username()


class StoryRelated(Orderable):
    """One story of a story's "Xem thêm" list (chosen by an editor, or a "Gợi ý AI"
    suggestion an editor accepted). Drafts and revisions carry the list with the page."""

    story = ParentalKey(
        StoryPage, related_name="related_links", on_delete=models.CASCADE, verbose_name="bài"
    )
    target = models.ForeignKey(
        StoryPage,
        verbose_name="bài xem thêm",
        on_delete=models.CASCADE,
        related_name="linked_from",
    )

    panels = [PageChooserPanel("target", "newsroom.StoryPage")]

    class Meta(Orderable.Meta):
        verbose_name = "bài xem thêm"
        verbose_name_plural = "bài xem thêm"


class StoryCorrection(Orderable):
    """Đính chính: a dated public correction note shown under the story."""

    story = ParentalKey(
        StoryPage, related_name="corrections", on_delete=models.CASCADE, verbose_name="bài"
    )
    corrected_at = models.DateTimeField("thời điểm đính chính", default=timezone.now)
    note = RichTextField("nội dung đính chính", features=["bold", "italic", "link"])

    panels = [FieldPanel("corrected_at"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = "đính chính"
