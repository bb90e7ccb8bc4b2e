from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Thống kê và chỉ tiêu"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        page_published.connect(_forget_page, dispatch_uid="analytics_page_published")
        page_unpublished.connect(_forget_page, dispatch_uid="analytics_page_unpublished")

        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_grant_permissions, dispatch_uid="analytics_agency_roles")


def _forget_page(sender, instance, **kwargs):
    """The beacon's page cache must not keep counting an unpublished page (or refuse a
    newly published one)."""
    from django.core.cache import cache

    from .collect import _memo, page_key

    cache.delete(page_key(instance.pk))
    _memo.pop(page_key(instance.pk), None)


def _grant_permissions(sender, agency, groups, **kwargs):
    from .services import analytics_grant_permissions

    analytics_grant_permissions()
