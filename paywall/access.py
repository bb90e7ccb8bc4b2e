"""Access levels of a story. The paywall owns them and the gating rule; the newsroom
stores a story's level and marks where its free preview ends."""

from django.db import models


class AccessLevel(models.TextChoices):
    FREE = "free", "Miễn phí"
    METERED = "metered", "Giới hạn số bài/tháng"
    PREMIUM = "premium", "Dành cho thuê bao"


# Name of the StreamField block that marks the end of the free preview.
PREVIEW_BREAK_BLOCK = "paywall_break"
