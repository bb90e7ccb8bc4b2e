from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Bản tin email"

    def ready(self):
        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_grant_permissions, dispatch_uid="newsletters_agency_roles")


# Who prepares and sends an agency's newsletters: its editors and leaders.
EDITOR_ROLES = ["desk_editor", "managing_editor", "editor_in_chief", "admin"]
EDITOR_PERMISSIONS = [
    "view_edition",
    "add_edition",
    "change_edition",
    "view_newsletter",
    "change_newsletter",
    "view_subscriber",
]


def _grant_permissions(sender, agency, groups, **kwargs):
    grant_permissions()


def grant_permissions() -> None:
    from django.contrib.auth.models import Permission

    from newsroom.models import AgencyRole

    perms = list(
        Permission.objects.filter(
            content_type__app_label="newsletters", codename__in=EDITOR_PERMISSIONS
        )
    )
    for role in AgencyRole.objects.filter(role__in=EDITOR_ROLES).select_related("group"):
        role.group.permissions.add(*perms)
