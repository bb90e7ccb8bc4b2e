from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssistConfig(AppConfig):
    name = "assist"
    verbose_name = "Gợi ý AI"

    def ready(self):
        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_grant_permissions, dispatch_uid="assist_agency_roles")
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="assist_post_migrate")


# Editors and leaders read the log of decisions; the editor-in-chief sets the house style.
EDITOR_ROLES = ["desk_editor", "managing_editor", "editor_in_chief", "admin"]
EDITOR_PERMISSIONS = ["view_assistdecision", "view_assistsettings"]
CHIEF_ROLES = ["editor_in_chief", "admin"]
CHIEF_PERMISSIONS = ["change_assistsettings"]


def _grant_permissions(sender, agency, groups, **kwargs):
    grant_permissions()


def _after_migrate(sender, **kwargs):
    grant_permissions()


def grant_permissions() -> None:
    from django.contrib.auth.models import Permission

    from newsroom.models import Agency, AgencyRole

    from .models import AssistSettings

    for agency in Agency.objects.exclude(assist_settings__isnull=False):
        AssistSettings.objects.get_or_create(agency=agency)

    def perms(codenames):
        return list(
            Permission.objects.filter(content_type__app_label="assist", codename__in=codenames)
        )

    editor, chief = perms(EDITOR_PERMISSIONS), perms(CHIEF_PERMISSIONS)
    for role in AgencyRole.objects.filter(role__in=EDITOR_ROLES).select_related("group"):
        role.group.permissions.add(*editor)
        if role.role in CHIEF_ROLES:
            role.group.permissions.add(*chief)
