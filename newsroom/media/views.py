"""Admin views of cuts around wagtailmedia's own: choosing one (own agency's or shared),
its processing state as JSON for the story editor, sharing it with another agency."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages
from wagtail.admin.modal_workflow import render_modal_workflow

from ..models import Agency, MediaAsset, ProcessingStatus
from .sharing import media_share, media_unshare, media_usable_by

MAX_STATUS_IDS = 50


def media_json(asset: MediaAsset, user) -> dict:
    """What the story editor shows of a cut: its title and processing state."""
    return {
        "id": asset.pk,
        "title": asset.title,
        "type": asset.type,
        "status": asset.processing_status,
        "status_label": asset.get_processing_status_display(),
        "error": asset.processing_error
        if asset.processing_status == ProcessingStatus.FAILED
        else "",
        "duration": asset.duration or 0,
        "edit_url": reverse("wagtailmedia:edit", args=(asset.pk,))
        if asset.is_editable_by_user(user)
        else "",
    }


def media_chosen(request, pk):
    """The chooser's pick: wagtailmedia's own only accepts cuts the user may edit; this one
    also accepts cuts shared with the user's agency."""
    asset = media_usable_by(request.user).filter(pk=pk).first()
    if asset is None:
        raise Http404("Không có âm thanh / video này hoặc cơ quan bạn không được dùng.")
    return render_modal_workflow(
        request,
        None,
        None,
        None,
        json_data={"step": "media_chosen", "result": media_json(asset, request.user)},
    )


@require_GET
def media_status(request):
    """`?id=1&id=2`: the processing state of the cuts the user may use; others are left
    out (never revealed)."""
    try:
        ids = {int(x) for x in request.GET.getlist("id")}
    except ValueError:
        return JsonResponse({"error": "Mã âm thanh / video không hợp lệ."}, status=400)
    if len(ids) > MAX_STATUS_IDS:
        return JsonResponse({"error": "Hỏi quá nhiều âm thanh / video một lần."}, status=400)
    assets = media_usable_by(request.user).filter(pk__in=ids)
    response = JsonResponse({"items": [media_json(a, request.user) for a in assets]})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def media_share_view(request, pk):
    """ "Chia sẻ với cơ quan" / "Thôi chia sẻ" on the cut's edit screen."""
    asset = get_object_or_404(MediaAsset, pk=pk)
    if not asset.is_editable_by_user(request.user):
        raise PermissionDenied
    agency = Agency.objects.filter(pk=request.POST.get("agency") or None).first()
    if agency is None:
        messages.error(request, "Hãy chọn cơ quan để chia sẻ.")
        return redirect("wagtailmedia:edit", asset.pk)
    try:
        if request.POST.get("action") == "unshare":
            media_unshare(asset=asset, agency=agency, user=request.user)
            messages.success(request, f"Đã thôi chia sẻ «{asset.title}» với {agency}.")
        else:
            media_share(asset=asset, agency=agency, user=request.user)
            messages.success(
                request,
                f"Đã chia sẻ «{asset.title}» với {agency}: nhân sự của cơ quan này "
                "có thể chọn nó cho tin bài.",
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("wagtailmedia:edit", asset.pk)
