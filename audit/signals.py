"""Hooks that turn staff actions into audit entries, without touching the views:

- log-in, log-out and failed log-ins (Django's auth signals), with address and device;
- every entry of Wagtail's own log (publish, unpublish, workflow steps, takedown, create,
  edit, delete of pages, snippets, users, groups, plans, promo codes, platforms...) is
  mirrored;
- group and permission changes (m2m on users and groups, Wagtail's page and collection
  permissions), corrections added to a story, refunds, platform credentials changes.

Apart from log-in failures, only what happens while serving a request is a staff action:
commands and background tasks (the demo loader, scheduled publishing) are not recorded."""

from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils.html import strip_tags
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry, PageLogEntry

from distribution.crypto import decrypt_json
from distribution.models import Platform
from newsroom.models import StoryCorrection
from paywall.models import Refund
from staffsecurity.services import is_staff_account as is_staff

from .context import after_response, current_request
from .services import record


def _in_request() -> bool:
    return current_request() is not None


@receiver(user_logged_in, dispatch_uid="audit-login")
def on_login(sender, request, user, **kwargs):
    if is_staff(user):
        record("auth.login", label="Đăng nhập", request=request, user=user, obj=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None and is_staff(user):
        record("auth.logout", label="Đăng xuất", request=request, user=user, obj=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """Failed log-ins at the admin, or anywhere for a staff account's name (the password
    is never kept: Django hands it over cleansed)."""
    request = request or current_request()
    username = str(credentials.get("username") or credentials.get("email") or "")[:150]
    account = User.objects.filter(username=username).first() if username else None
    at_admin = request is not None and request.path.startswith("/admin")
    if not at_admin and not is_staff(account):
        return
    record(
        "auth.login_failed",
        label="Đăng nhập thất bại",
        request=request,
        user=None,
        actor_name=username,
        obj=account,
        data={"username": username, "account_exists": account is not None},
    )


@receiver(post_save, sender=PageLogEntry, dispatch_uid="audit-mirror-page-log")
@receiver(post_save, sender=ModelLogEntry, dispatch_uid="audit-mirror-model-log")
def mirror_wagtail_log(sender, instance, created, **kwargs):
    if not created or not _in_request():
        return
    target = None
    if sender is PageLogEntry:
        target = instance.page.specific_deferred if instance.page_id else None
    else:
        model = instance.content_type.model_class() if instance.content_type_id else None
        if model is not None:
            target = model._default_manager.filter(pk=instance.object_id).first()
    if isinstance(target, Group) and instance.action in {"wagtail.create", "wagtail.edit"}:
        _watch_group_permissions(target)
    formatter = log_registry.get_formatter(instance)
    action = formatter.label if formatter else ""
    record(
        instance.action,
        label=str(action or instance.action),
        user=instance.user,
        obj=target,
        object_type=(
            f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else ""
        ),
        object_id=str(instance.object_id),
        object_repr=instance.label,
        data={"wagtail_log": instance.pk, **(instance.data or {})},
    )


def _names(model, pks) -> list[str]:
    if model is Group:
        return list(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    if model is User:
        return list(User.objects.filter(pk__in=pks).values_list("username", flat=True))
    return [
        f"{p.content_type.app_label}.{p.codename}"
        for p in model.objects.filter(pk__in=pks).select_related("content_type")
    ]


FORWARD_FIELDS = {
    User.groups.through: "groups",
    User.user_permissions.through: "user_permissions",
    Group.permissions.through: "permissions",
}


def _m2m(kind, label, sender, instance, action, model, pk_set, reverse):
    if not _in_request() or action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if action == "pre_clear":
        if reverse:  # a permission or group emptied of its holders: rare, not from the admin
            return
        pk_set = set(getattr(instance, FORWARD_FIELDS[sender]).values_list("pk", flat=True))
        if not pk_set:
            return
    verb = "add" if action == "post_add" else "remove"
    record(
        f"auth.{kind}.{verb}",
        label=f"{label}: {'thêm' if verb == 'add' else 'bỏ'}",
        obj=instance,
        data={"changed": sorted(_names(model, pk_set))},
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit-user-groups")
def on_user_groups(sender, instance, action, model, pk_set, reverse, **kwargs):
    _m2m("groups", "Đổi nhóm người dùng", sender, instance, action, model, pk_set, reverse)


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="audit-user-perms")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="audit-group-perms")
def on_permissions(sender, instance, action, model, pk_set, reverse, **kwargs):
    _m2m("permissions", "Đổi quyền", sender, instance, action, model, pk_set, reverse)


def _object_permissions(group) -> set[tuple[str, str]]:
    def code(permission):
        return f"{permission.content_type.app_label}.{permission.codename}"

    pages = group.page_permissions.select_related("page", "permission__content_type")
    collections = group.collection_permissions.select_related(
        "collection", "permission__content_type"
    )
    return {(f"trang «{p.page}»", code(p.permission)) for p in pages} | {
        (f"thư mục «{c.collection}»", code(c.permission)) for c in collections
    }


def _watch_group_permissions(group) -> None:
    """Wagtail saves a group's page and collection permissions after it logs the edit
    (deleting and bulk-creating rows, which sends no save signal): compared once the
    view is done."""
    before = _object_permissions(group) if group.pk else set()

    def compare():
        after = _object_permissions(group)
        if after != before:
            record(
                "auth.object_permissions",
                label="Đổi quyền trên trang / thư mục",
                obj=group,
                data={"added": sorted(after - before), "removed": sorted(before - after)},
            )

    after_response(compare)


@receiver(post_save, sender=StoryCorrection, dispatch_uid="audit-correction")
def on_correction(sender, instance, created, **kwargs):
    if created and _in_request():
        record(
            "newsroom.correction",
            label="Đính chính",
            obj=instance.story,
            data={"correction": instance.pk, "text": strip_tags(instance.note)[:500]},
        )


@receiver(post_save, sender=Refund, dispatch_uid="audit-refund")
def on_refund(sender, instance, created, **kwargs):
    if created:
        record(
            "paywall.refund",
            label="Yêu cầu hoàn tiền",
            user=instance.requested_by,
            obj=instance.order,
            data={"amount": instance.amount, "reason": instance.reason, "refund": instance.pk},
        )


def _credentials(encrypted: str) -> dict:
    try:
        return decrypt_json(encrypted) if encrypted else {}
    except ValueError:  # stored under another key: whatever is given now is a change
        return {}


@receiver(pre_save, sender=Platform, dispatch_uid="audit-platform-credentials")
def on_platform_credentials(sender, instance, **kwargs):
    """Names the secrets that changed (never their values; a new platform's secrets are
    in its mirrored "create" entry)."""
    if not _in_request() or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("credentials_encrypted", flat=True)
    before = _credentials(stored.first() or "")
    after = _credentials(instance.credentials_encrypted)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        record(
            "distribution.credentials",
            label="Đổi thông tin đăng nhập nền tảng",
            obj=instance,
            data={"changed": changed},
        )
