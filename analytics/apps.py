from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Thống kê và chỉ tiêu"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        page_published.connect(_forget_page, dispatch_uid="analytics_page_published")
        page_unpublished.connect(_forget_page, dispatch_uid="analytics_page_unpublished")


def _forget_page(sender, instance, **kwargs):
    """The beacon's page cache must not keep counting an unpublished page (or refuse a
    newly published one)."""
    from django.core.cache import cache

    from .collect import _memo, page_key

    cache.delete(page_key(instance.pk))
    _memo.pop(page_key(instance.pk), None)
