from django.apps import AppConfig


class RoyaltiesConfig(AppConfig):
    name = "royalties"
    verbose_name = "Nhuận bút"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_agency_ready, dispatch_uid="royalties_agency_roles")
        from django.db.models.signals import post_migrate

        post_migrate.connect(_setup_all, sender=self, dispatch_uid="royalties_setup_all")


def _agency_ready(sender, agency, groups, **kwargs):
    from .services import agency_setup

    agency_setup(agency=agency, groups=groups)


def _setup_all(sender, using="default", **kwargs):
    """After migrate: every agency that existed before this app gets its default frame,
    its accounting group and its roles' permissions (new agencies get them from
    agency_roles_ready)."""
    from newsroom.models import Agency, AgencyRole

    from .services import agency_setup

    for agency in Agency.objects.using(using).all():
        groups = {r.role: r.group for r in AgencyRole.objects.filter(agency=agency)}
        agency_setup(agency=agency, groups=groups)
