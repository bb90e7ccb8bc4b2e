"""Agency groups were granted `newsroom.add/change_mediaasset` on their collection, but
wagtailmedia checks `wagtailmedia.add/change_media` (its permission policy's auth model):
staff could neither upload nor choose their own cuts. Grants the permissions wagtailmedia
reads wherever the old ones were granted; new agencies get them from agency_setup_roles."""

from django.db import migrations

RENAMES = {"add_mediaasset": "add_media", "change_mediaasset": "change_media"}


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=ct, codename=codename, defaults={"name": name}
    )
    return permission


def grant_wagtailmedia_permissions(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    old = GroupCollectionPermission.objects.filter(
        permission__content_type__app_label="newsroom",
        permission__codename__in=list(RENAMES),
    ).select_related("permission")
    for row in old:
        codename = RENAMES[row.permission.codename]
        permission = _permission(
            apps, "wagtailmedia", "media", codename, f"Can {codename.split('_')[0]} media"
        )
        GroupCollectionPermission.objects.get_or_create(
            group_id=row.group_id, collection_id=row.collection_id, permission=permission
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_media_share"),
        ("wagtailmedia", "0005_alter_media_options"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(grant_wagtailmedia_permissions, migrations.RunPython.noop),
    ]
