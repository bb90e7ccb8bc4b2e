"""The listenable version of a published story ("Nghe bài viết", docs/speech.md).

One row per story: the audio of its CURRENT published text. `text_hash` is the digest of
the text that was spoken, so a republish with the same text keeps the files and a changed
text makes new ones; unpublishing or deleting the story retires them."""

from django.db import models


class ListenState(models.TextChoices):
    PENDING = "pending", "Đang làm"
    READY = "ready", "Sẵn sàng"
    FAILED = "failed", "Lỗi"
    SKIPPED = "skipped", "Không làm"
    RETIRED = "retired", "Đã gỡ"


class StoryAudio(models.Model):
    story = models.OneToOneField(
        "newsroom.StoryPage",
        verbose_name="tin bài",
        on_delete=models.CASCADE,
        related_name="listen_audio",
    )
    state = models.CharField(
        "trạng thái", max_length=10, choices=ListenState.choices, default=ListenState.PENDING
    )
    # Vietnamese, for the newsroom: why it failed or was not made.
    reason = models.TextField("lý do", blank=True)
    # The published revision the audio was made (or reused) for.
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name="phiên bản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # sha256 of the spoken text (after normalisation) and whether it was paid text.
    text_hash = models.CharField("mã băm văn bản đã đọc", max_length=64, blank=True)
    # Bumped at each request; a job made for an older generation is thrown away.
    generation = models.PositiveIntegerField("lượt yêu cầu", default=0)
    paid = models.BooleanField("bài thu phí", default=False)
    provider = models.CharField("làm bởi", max_length=16, blank=True)
    mp3 = models.FileField("MP3", max_length=255, blank=True)
    aac = models.FileField("AAC", max_length=255, blank=True)
    duration = models.FloatField("thời lượng (giây)", default=0)
    characters = models.PositiveIntegerField("số ký tự", default=0)
    requested_at = models.DateTimeField("yêu cầu lúc", null=True, blank=True)
    made_at = models.DateTimeField("làm xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "bản nghe bài viết"
        verbose_name_plural = "bản nghe bài viết"

    def __str__(self):
        return f"Bản nghe – {self.story_id} ({self.get_state_display()})"

    @property
    def is_ready(self) -> bool:
        return self.state == ListenState.READY and bool(self.mp3)

    def file_names(self) -> list[str]:
        return [f.name for f in (self.mp3, self.aac) if f]
