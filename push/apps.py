from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "push"
    verbose_name = "Thông báo tin nóng"

    def ready(self):
        from newsroom.events import agency_roles_ready

        agency_roles_ready.connect(_grant_permissions, dispatch_uid="push_agency_roles")


# Who sends an agency's breaking-news alerts: its editor-in-chief (and its administrator,
# who runs the platform for the agency). Scoped to the agency's outlets (selectors).
SENDER_ROLES = ["editor_in_chief", "admin"]
SENDER_PERMISSIONS = ["add_alert", "view_alert"]


def _grant_permissions(sender, agency, groups, **kwargs):
    grant_permissions()


def grant_permissions() -> None:
    from django.contrib.auth.models import Permission

    from newsroom.models import AgencyRole

    perms = list(
        Permission.objects.filter(content_type__app_label="push", codename__in=SENDER_PERMISSIONS)
    )
    for role in AgencyRole.objects.filter(role__in=SENDER_ROLES).select_related("group"):
        role.group.permissions.add(*perms)
