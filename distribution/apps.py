from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Phân phối"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from newsroom.events import agency_roles_ready
        from newsroom.models import StoryPage

        from . import signals

        page_published.connect(
            signals.on_story_published, sender=StoryPage, dispatch_uid="distribution_publish"
        )
        page_unpublished.connect(
            signals.on_story_unpublished, sender=StoryPage, dispatch_uid="distribution_unpublish"
        )
        agency_roles_ready.connect(
            _grant_permissions, dispatch_uid="distribution_agency_roles_ready"
        )


def _grant_permissions(sender, agency, groups, **kwargs):
    from .services import distribution_grant_permissions

    distribution_grant_permissions(groups=groups)
