"""Phát thanh - truyền hình: live channels, programmes, the schedule (EPG) and rundowns."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


def validate_stream_url(value: str) -> None:
    """An http(s) address of the encoder's playlist, or a path on this site (a CDN or the
    media folder)."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"], message="Địa chỉ nguồn phát không hợp lệ.")(value)


class ChannelKind(models.TextChoices):
    RADIO = "radio", "Phát thanh"
    TV = "tv", "Truyền hình"


class Channel(models.Model):
    """Kênh: a live radio or TV channel of a broadcast outlet, fed by the station's
    encoder as HLS."""

    outlet = models.ForeignKey(
        "newsroom.Outlet", verbose_name="ấn phẩm", on_delete=models.PROTECT, related_name="channels"
    )
    kind = models.CharField("loại kênh", max_length=8, choices=ChannelKind.choices)
    name = models.CharField("tên kênh", max_length=120)
    slug = models.SlugField("đường dẫn", max_length=60, unique=True)
    live_url = models.CharField(
        "nguồn phát trực tiếp (HLS)",
        max_length=500,
        blank=True,
        validators=[validate_stream_url],
        help_text="Địa chỉ .m3u8 do bộ mã hóa (encoder) của Đài cung cấp.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="logo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField("giới thiệu", blank=True)
    sort_order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang phát", default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "kênh phát sóng"
        verbose_name_plural = "kênh phát sóng"

    def __str__(self):
        return self.name

    @property
    def agency_id(self):
        return self.outlet.agency_id


class Programme(models.Model):
    """Chương trình: a recurring radio or TV programme of a channel; a radio programme
    can also be a podcast whose episodes are the published stories carrying its tag."""

    channel = models.ForeignKey(
        Channel, verbose_name="kênh", on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField("tên chương trình", max_length=160)
    slug = models.SlugField("đường dẫn", max_length=80, unique=True)
    description = models.TextField("giới thiệu", blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="ảnh chương trình",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Ảnh vuông, tối thiểu 1400×1400 cho podcast.",
    )
    is_podcast = models.BooleanField("phát hành podcast", default=False)
    episode_tag = models.SlugField(
        "chủ đề của các số",
        max_length=100,
        blank=True,
        help_text="Tin bài đã đăng mang thẻ này và có bản phát thanh là các số podcast.",
    )
    podcast_category = models.CharField(
        "thể loại Apple Podcasts", max_length=60, default="News", blank=True
    )
    podcast_explicit = models.BooleanField("nội dung người lớn", default=False)
    podcast_author = models.CharField("tác giả podcast", max_length=160, blank=True)

    panels = [
        FieldPanel("channel"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("description"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldPanel("is_podcast"),
                FieldPanel("episode_tag"),
                FieldRowPanel([FieldPanel("podcast_category"), FieldPanel("podcast_explicit")]),
                FieldPanel("podcast_author"),
            ],
            heading="Podcast",
        ),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "chương trình"
        verbose_name_plural = "chương trình"

    def __str__(self):
        return self.name

    @property
    def agency_id(self):
        return self.channel.outlet.agency_id

    def clean(self):
        if self.is_podcast and not self.episode_tag:
            raise ValidationError(
                {"episode_tag": "Podcast cần một chủ đề để chọn các số (tin bài) của nó."}
            )


class BroadcastSlot(models.Model):
    """Một khung giờ phát sóng: one airing of a programme on a channel (the EPG)."""

    channel = models.ForeignKey(
        Channel, verbose_name="kênh", on_delete=models.CASCADE, related_name="slots"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name="chương trình",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slots",
    )
    title = models.CharField("tiêu đề", max_length=200, blank=True)
    description = models.TextField("mô tả", blank=True)
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("kết thúc")
    catch_up = models.ForeignKey(
        settings.WAGTAILMEDIA["MEDIA_MODEL"],
        verbose_name="bản ghi xem lại",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("channel"),
        FieldPanel("programme"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("description"),
        FieldPanel("catch_up"),
    ]

    class Meta:
        ordering = ["channel", "starts_at"]
        verbose_name = "lịch phát sóng"
        verbose_name_plural = "lịch phát sóng"
        indexes = [models.Index(fields=["channel", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="slot_ends_after_start",
            )
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.display_title} — {self.channel} {local:%d/%m %H:%M}"

    @property
    def agency_id(self):
        return self.channel.outlet.agency_id

    @property
    def display_title(self) -> str:
        return self.title or (self.programme.name if self.programme_id else "")

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    def overlapping(self):
        qs = BroadcastSlot.objects.filter(
            channel_id=self.channel_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
        )
        return qs.exclude(pk=self.pk) if self.pk else qs

    def clean(self):
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": "Giờ kết thúc phải sau giờ bắt đầu."})
            if self.channel_id and (clash := self.overlapping().first()):
                raise ValidationError(f"Trùng giờ với «{clash}» trên cùng kênh.")
        if self.programme_id and self.channel_id and self.programme.channel_id != self.channel_id:
            raise ValidationError({"programme": "Chương trình không thuộc kênh này."})


class Rundown(ClusterableModel):
    """Kịch bản chương trình: the ordered items of one edition of a programme, with
    planned durations, for presenters and the control room."""

    programme = models.ForeignKey(
        Programme, verbose_name="chương trình", on_delete=models.PROTECT, related_name="rundowns"
    )
    slot = models.ForeignKey(
        BroadcastSlot,
        verbose_name="khung giờ phát",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rundowns",
    )
    title = models.CharField("tiêu đề số phát", max_length=200)
    air_at = models.DateTimeField("giờ phát")
    target_seconds = models.PositiveIntegerField(
        "thời lượng dự kiến (giây)", help_text="Tổng thời lượng của số phát."
    )
    presenter = models.CharField("người dẫn", max_length=160, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    panels = [
        FieldPanel("programme"),
        FieldPanel("slot"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("air_at"), FieldPanel("target_seconds")]),
        FieldPanel("presenter"),
        FieldPanel("notes"),
        InlinePanel("items", label="mục", heading="Các mục"),
    ]

    class Meta:
        ordering = ["-air_at"]
        verbose_name = "kịch bản chương trình"
        verbose_name_plural = "kịch bản chương trình"

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.air_at):%d/%m/%Y %H:%M})"

    @property
    def agency_id(self):
        return self.programme.channel.outlet.agency_id


class RundownCut(models.TextChoices):
    NONE = "", "—"
    AUDIO = "audio", "Bản phát thanh"
    VIDEO = "video", "Bản truyền hình"


class RundownItem(Orderable):
    rundown = ParentalKey(
        Rundown,
        related_name="items",
        on_delete=models.CASCADE,
        verbose_name="kịch bản chương trình",
    )
    title = models.CharField("nội dung", max_length=200)
    story = models.ForeignKey(
        "newsroom.StoryPage",
        verbose_name="tin bài",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cut = models.CharField("bản dùng", max_length=8, choices=RundownCut.choices, blank=True)
    planned_seconds = models.PositiveIntegerField("thời lượng (giây)")
    source = models.CharField("nguồn / người đọc", max_length=120, blank=True)
    notes = models.CharField("ghi chú kỹ thuật", max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("planned_seconds")]),
        FieldRowPanel([FieldPanel("story"), FieldPanel("cut")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("notes")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "mục kịch bản"

    def __str__(self):
        return self.title

    @property
    def media(self):
        if not self.story_id or not self.cut:
            return None
        return getattr(self.story, self.cut)

    def clean(self):
        if self.cut and not self.story_id:
            raise ValidationError({"cut": "Chọn tin bài trước khi chọn bản dùng."})
