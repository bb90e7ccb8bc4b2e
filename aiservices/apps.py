from django.apps import AppConfig


class AiservicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "aiservices"
    verbose_name = "Dịch vụ AI"

    def ready(self):
        from django.db.models.signals import post_migrate

        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_agency_ready, dispatch_uid="aiservices_agency_roles")
        post_migrate.connect(_setup_all, sender=self, dispatch_uid="aiservices_setup_all")


def _agency_ready(sender, agency, groups, **kwargs):
    from .services import grant_permissions

    grant_permissions(groups=groups)


def _setup_all(sender, using="default", **kwargs):
    """After migrate: the roles of agencies that existed before this app get its
    permissions too (new agencies get them from agency_roles_ready)."""
    from newsroom.models import AgencyRole

    from .services import grant_permissions

    groups = {}
    for link in AgencyRole.objects.using(using).select_related("group"):
        groups.setdefault(link.agency_id, {})[link.role] = link.group
    for agency_groups in groups.values():
        grant_permissions(groups=agency_groups)
