from django.db import models


class OutboxMessage(models.Model):
    """One Celery task to run once. Written in the transaction of the change that asks for
    it, so the change and its task are committed together or not at all."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the message was handed to the broker (None: never, the broker was away).
    published_at = models.DateTimeField(null=True, blank=True)
    publish_count = models.PositiveIntegerField(default=0)
    # Set by the worker in the transaction that ran the task: a second copy of the
    # message finds it and does nothing.
    done_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    given_up = models.BooleanField(default=False)

    class Meta:
        verbose_name = "tác vụ trong outbox"
        verbose_name_plural = "tác vụ trong outbox"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(done_at__isnull=True, given_up=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
