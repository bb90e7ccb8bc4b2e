from django.conf import settings
from django.db import models


class UserSession(models.Model):
    """A session a user logged in with, so that all of them can be ended server-side
    (account disabled, password changed) whatever the session engine."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phiên đăng nhập"
        verbose_name_plural = "phiên đăng nhập"

    def __str__(self):
        return f"{self.user_id}: {self.session_key[:8]}…"
