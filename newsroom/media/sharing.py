"""Which cuts a staff member may use, and an agency lending a cut to another agency.

Visibility builds on wagtailmedia's collection permission policy: a user sees the cuts of
the collections they hold "change" on (their agency's) and the ones they uploaded; on top
of that, the cuts another agency shared with one of their agencies (`MediaShare`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from wagtail.log_actions import log
from wagtail.models import Collection
from wagtailmedia import get_permission_policy

from ..models import Agency, MediaAsset, MediaShare

# What a user may do with a cut they see: "change" (wagtailmedia has no "choose" action).
USE_ACTIONS = ["change", "delete"]


def media_permission_policy():
    return get_permission_policy()


def staff_agencies(user) -> QuerySet[Agency]:
    """The agencies `user` works for through a role group (not the department officer's
    read-only view of every agency)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(roles__group__user=user).distinct()


def media_usable_by(user) -> QuerySet[MediaAsset]:
    """Cuts `user` may attach to a story: their collections' cuts, their own uploads, and
    cuts shared with one of their agencies."""
    own = media_permission_policy().instances_user_has_any_permission_for(user, USE_ACTIONS)
    if user.is_superuser:
        return own
    shared = MediaShare.objects.filter(agency__in=staff_agencies(user))
    # Filters on ids (a FilterField of MediaAsset): the chooser searches this queryset.
    return MediaAsset.objects.filter(
        Q(pk__in=own.values_list("pk", flat=True))
        | Q(pk__in=shared.values_list("asset_id", flat=True))
    )


def media_collections_for(user) -> QuerySet[Collection]:
    """Collections offered to `user` in media choosers and upload forms."""
    return media_permission_policy().collections_user_has_any_permission_for(
        user, ["add", "change"]
    )


def asset_agency(asset: MediaAsset) -> Agency | None:
    """The agency owning the cut: the one whose collection (agency_collection: a child of
    the root named after the agency) holds it, directly or in a sub-collection."""
    collection = asset.collection
    if collection is None:
        return None
    top = (
        collection if collection.depth <= 2 else collection.get_ancestors().filter(depth=2).first()
    )
    return Agency.objects.filter(name=top.name).first() if top else None


def share_targets(asset: MediaAsset) -> QuerySet[Agency]:
    """Agencies the cut can still be shared with: active, not the owner, not yet shared."""
    owner = asset_agency(asset)
    agencies = Agency.objects.filter(merged_into__isnull=True).exclude(shared_media__asset=asset)
    return agencies.exclude(pk=owner.pk) if owner else agencies


def _require_editor(asset: MediaAsset, user) -> None:
    if not asset.is_editable_by_user(user):
        raise PermissionDenied("Bạn không có quyền chia sẻ âm thanh / video này.")


@transaction.atomic
def media_share(*, asset: MediaAsset, agency: Agency, user) -> MediaShare:
    """Lends the cut to `agency`: its staff see it in their choosers from now on."""
    _require_editor(asset, user)
    if not agency.is_active:
        raise ValidationError(f"{agency} đã sáp nhập vào cơ quan khác; không thể chia sẻ.")
    owner = asset_agency(asset)
    if owner is not None and owner.pk == agency.pk:
        raise ValidationError(f"«{asset.title}» đã thuộc {agency}; không cần chia sẻ.")
    if MediaShare.objects.filter(asset=asset, agency=agency).exists():
        raise ValidationError(f"«{asset.title}» đã được chia sẻ với {agency}.")
    share = MediaShare.objects.create(asset=asset, agency=agency, shared_by=user)
    log(
        instance=asset,
        action="newsroom.media_share",
        user=user,
        data={"agency": agency.pk, "agency_name": agency.name},
    )
    return share


@transaction.atomic
def media_unshare(*, asset: MediaAsset, agency: Agency, user) -> None:
    """Withdraws the loan: the cut leaves the other agency's choosers (stories that already
    carry it keep it)."""
    _require_editor(asset, user)
    deleted, _ = MediaShare.objects.filter(asset=asset, agency=agency).delete()
    if not deleted:
        raise ValidationError(f"«{asset.title}» chưa được chia sẻ với {agency}.")
    log(
        instance=asset,
        action="newsroom.media_unshare",
        user=user,
        data={"agency": agency.pk, "agency_name": agency.name},
    )


MEDIA_NOT_USABLE = (
    "Âm thanh / video này thuộc cơ quan khác và chưa được chia sẻ với cơ quan bạn; "
    "hãy chọn bản của cơ quan mình hoặc nhờ cơ quan kia chia sẻ."
)


def story_form_scope_media(form, field_names=("audio", "video")) -> None:
    """Limits a story form's cut fields to the cuts the editing user may use (a crafted
    POST cannot attach another agency's cut); the cut the story already carries stays
    valid even if its loan was withdrawn since."""
    user = getattr(form, "for_user", None)
    if user is None:
        return
    usable = media_usable_by(user).values("pk")
    for name in field_names:
        field = form.fields.get(name)
        if field is None:
            continue
        current = getattr(form.instance, f"{name}_id", None)
        field.queryset = field.queryset.filter(Q(pk__in=usable) | Q(pk=current))
        field.error_messages["invalid_choice"] = MEDIA_NOT_USABLE
