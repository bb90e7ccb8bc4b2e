import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from wagtail.search import index
from wagtailmedia.models import AbstractMedia


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ xử lý"
    PROCESSING = "processing", "Đang xử lý"
    READY = "ready", "Sẵn sàng"
    FAILED = "failed", "Lỗi"


def media_max_upload_size() -> int:
    return settings.HOITU_MEDIA_MAX_UPLOAD_SIZE


class MediaAsset(AbstractMedia):
    """An audio (radio cut) or video (TV cut) file attached to stories through
    wagtailmedia. The uploaded original is kept as it is; the media pipeline
    (`newsroom.media`) probes it and writes renditions beside it."""

    # Duration, size and thumbnail come from the probe, not from the uploader.
    admin_form_fields = ("title", "file", "collection", "thumbnail", "tags")
    # The chooser searches within the cuts a user may use (own collection + shared:
    # newsroom.media.sharing.media_usable_by), a filter on ids.
    search_fields = AbstractMedia.search_fields + [
        index.FilterField("id"),
    ]

    processing_status = models.CharField(
        "trạng thái xử lý",
        max_length=12,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.PENDING,
        editable=False,
    )
    processing_error = models.TextField("lý do lỗi", blank=True, editable=False)
    # The original's storage name the pipeline was last asked to process: a save whose file
    # differs from it is a new upload and queues processing again.
    source_name = models.CharField(
        max_length=255, blank=True, editable=False, verbose_name="tên tệp gốc"
    )
    probe = models.JSONField("thông số kỹ thuật", default=dict, blank=True, editable=False)
    processed_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True, editable=False)

    class Meta(AbstractMedia.Meta):
        verbose_name = "âm thanh / video"
        verbose_name_plural = "âm thanh / video"

    def clean(self, *args, **kwargs):
        self._clean_extension()
        super().clean(*args, **kwargs)
        # Refuse an oversized upload at the form, before it reaches the pipeline.
        if self.file and not getattr(self.file, "_committed", True):
            size = getattr(self.file, "size", 0) or 0
            if size > media_max_upload_size():
                raise ValidationError(
                    {
                        "file": (
                            f"Tệp quá lớn ({filesizeformat(size)}); giới hạn là "
                            f"{filesizeformat(media_max_upload_size())}."
                        )
                    }
                )

    def _clean_extension(self):
        # wagtailmedia checks the same lists, with a message Django has no Vietnamese for.
        from wagtailmedia.settings import wagtailmedia_settings

        allowed = {
            "audio": wagtailmedia_settings.AUDIO_EXTENSIONS,
            "video": wagtailmedia_settings.VIDEO_EXTENSIONS,
        }.get(self.type)
        if not (self.file and allowed):
            return
        extension = os.path.splitext(self.file.name)[1].lstrip(".").lower()
        if extension not in allowed:
            kind = "âm thanh" if self.type == "audio" else "video"
            raise ValidationError(
                {
                    "file": (
                        f"Tệp “.{extension or '?'}” không phải định dạng {kind} được nhận. "
                        f"Hãy tải lên một trong các định dạng: {', '.join(allowed)}."
                    )
                }
            )

    # --- Renditions as the players need them ------------------------------------------
    def _renditions(self) -> dict:
        cache = getattr(self, "_rendition_cache", None)
        if cache is None:
            cache = {r.kind: r for r in self.renditions.all()}
            self._rendition_cache = cache
        return cache

    def rendition(self, kind: str):
        if self.processing_status != ProcessingStatus.READY:
            return None
        return self._renditions().get(kind)

    @property
    def hls(self):
        return self.rendition(RenditionKind.HLS)

    @property
    def poster(self):
        return self.rendition(RenditionKind.POSTER)

    @property
    def progressive_sources(self) -> list["MediaRendition"]:
        """Plain files for browsers without HLS: the cheapest first (slow links)."""
        kinds = (
            [RenditionKind.VIDEO_360, RenditionKind.VIDEO_720]
            if self.type == "video"
            else [RenditionKind.AUDIO_AAC, RenditionKind.AUDIO_MP3]
        )
        return [r for k in kinds if (r := self.rendition(k))]

    @property
    def is_ready(self) -> bool:
        return self.processing_status == ProcessingStatus.READY


class RenditionKind(models.TextChoices):
    AUDIO_AAC = "audio_aac", "Âm thanh AAC (m4a)"
    AUDIO_MP3 = "audio_mp3", "Âm thanh MP3"
    VIDEO_720 = "video_720", "Video MP4 720p"
    VIDEO_360 = "video_360", "Video MP4 360p"
    HLS = "hls", "HLS (danh sách phát chính)"
    POSTER = "poster", "Ảnh đại diện video"


class MediaRendition(models.Model):
    """One output of the media pipeline for an asset. An HLS rendition's `file` is its
    master playlist; `files` lists every stored file of the rendition (playlists and
    segments) so a reprocess can delete exactly what it replaces."""

    asset = models.ForeignKey(
        MediaAsset,
        on_delete=models.CASCADE,
        related_name="renditions",
        verbose_name="tệp âm thanh/video",
    )
    kind = models.CharField("loại", max_length=12, choices=RenditionKind.choices)
    file = models.FileField("tệp", upload_to="media_renditions", max_length=255)
    files = models.JSONField(default=list, blank=True, verbose_name="tệp")
    mime_type = models.CharField(max_length=80, verbose_name="kiểu MIME")
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    duration = models.FloatField("thời lượng (giây)", default=0)
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name="chiều rộng (px)")
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name="chiều cao (px)")
    bitrate = models.PositiveIntegerField("tốc độ dữ liệu (bit/giây)", default=0)
    codecs = models.CharField(max_length=80, blank=True, verbose_name="bộ mã hóa")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")

    class Meta:
        verbose_name = "bản chuyển mã"
        verbose_name_plural = "bản chuyển mã"
        ordering = ["asset", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "kind"], name="one_rendition_per_kind")
        ]

    def __str__(self):
        return f"{self.asset} — {self.get_kind_display()}"

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def filename(self) -> str:
        return os.path.basename(self.file.name)


class MediaShare(models.Model):
    """A cut an agency explicitly lends to another agency: the other agency's staff may
    choose it for their stories (they cannot edit or delete it). Granted and withdrawn
    from the cut's edit screen, each change logged."""

    asset = models.ForeignKey(
        MediaAsset,
        on_delete=models.CASCADE,
        related_name="shares",
        verbose_name="tệp âm thanh/video",
    )
    agency = models.ForeignKey(
        "newsroom.Agency",
        verbose_name="cơ quan được chia sẻ",
        on_delete=models.CASCADE,
        related_name="shared_media",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người chia sẻ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("chia sẻ lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chia sẻ âm thanh / video"
        verbose_name_plural = "chia sẻ âm thanh / video"
        ordering = ["asset", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "agency"], name="one_share_per_agency")
        ]

    def __str__(self):
        return f"{self.asset} → {self.agency}"
