"""Nhật ký thao tác của cán bộ: append-only, like the revenue ledger (paywall.models).

The ORM refuses to update or delete an entry; on PostgreSQL a trigger refuses UPDATE, and
DELETE of any entry younger than 365 days (the legal minimum), so not even raw SQL can
rewrite who did what. Only `manage.py audit_purge` removes entries past the retention."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from paywall.models import AppendOnlyError  # one error for both append-only records

__all__ = ["AppendOnlyError", "AuditEntry"]

REFUSED = "The audit log is append-only."


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(REFUSED)

    def delete(self):
        raise AppendOnlyError(REFUSED)

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(REFUSED)

    def purge_before(self, cutoff) -> int:
        """Removes entries older than `cutoff` (audit_purge only); returns how many."""
        return self.filter(created_at__lt=cutoff)._raw_delete(self.db)


class AuditEntry(models.Model):
    created_at = models.DateTimeField("lúc", default=timezone.now, db_index=True)
    # No database constraints on the person and agency: an entry outlives them, and the
    # row is never rewritten (a cascade would be an UPDATE or DELETE).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    actor_name = models.CharField("tên đăng nhập", max_length=150, blank=True, db_index=True)
    action = models.CharField("thao tác", max_length=100, db_index=True)
    label = models.CharField("mô tả thao tác", max_length=200, blank=True)
    object_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    object_repr = models.CharField("đối tượng", max_length=255, blank=True)
    agency = models.ForeignKey(
        "newsroom.Agency",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cơ quan",
    )
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    user_agent = models.CharField("thiết bị (user agent)", max_length=300, blank=True)
    path = models.CharField("đường dẫn", max_length=300, blank=True)
    data = models.JSONField("chi tiết", default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "mục nhật ký thao tác"
        verbose_name_plural = "nhật ký thao tác"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_name or '—'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(REFUSED)
