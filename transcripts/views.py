"""Staff screens of transcripts, in the Wagtail admin (docs/transcripts.md)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aiservices import services as ai
from newsroom.media.access import player_files
from newsroom.media.sharing import asset_agency

from . import services
from .forms import StoryFromTranscriptForm
from .models import Transcript
from .selectors import cuts_editable_by, transcript_for, transcript_search


def _asset_or_404(request, asset_id):
    asset = transcript_for(request.user, asset_id)
    if asset is None:
        # Another agency's cut answers as if it did not exist.
        raise Http404("Không tìm thấy âm thanh / video.")
    return asset


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def transcript_index(request):
    query = request.GET.get("q", "")[:200]
    assets = (
        cuts_editable_by(request.user).select_related("transcript").order_by("-created_at")[:100]
    )
    return render(
        request,
        "transcripts/admin/index.html",
        {"assets": assets, "q": query, "hits": transcript_search(request.user, query)},
    )


def transcript_edit(request, asset_id):
    asset = _asset_or_404(request, asset_id)
    transcript = Transcript.objects.filter(asset=asset).first()
    segments = list(transcript.segments.all()) if transcript else []
    if request.method == "POST":
        if transcript is None or not segments:
            raise Http404("Chưa có bản ghi lời để hiệu đính.")
        texts = {}
        for segment in segments:
            field = f"segment-{segment.pk}"
            if field in request.POST:
                texts[segment.pk] = request.POST[field]
        try:
            services.transcript_correct(transcript=transcript, user=request.user, texts=texts)
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, "Đã lưu bản ghi lời đã hiệu đính.")
            return redirect("transcripts_edit", asset_id=asset.pk)
    agency = asset_agency(asset)
    return render(
        request,
        "transcripts/admin/edit.html",
        {
            "asset": asset,
            "transcript": transcript,
            "segments": segments,
            "files": player_files(asset, request=request),
            "configured": bool(agency and ai.status(agency).get(ai.Capability.STT)),
        },
    )


@require_POST
def transcript_start(request, asset_id):
    asset = _asset_or_404(request, asset_id)
    if not asset.is_ready:
        messages.error(request, "Tệp chưa xử lý xong; hãy đợi rồi thử lại.")
        return redirect("transcripts_edit", asset_id=asset.pk)
    try:
        services.transcript_request(asset=asset, user=request.user)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Đã gửi yêu cầu tạo bản ghi lời.")
    return redirect("transcripts_edit", asset_id=asset.pk)


def transcript_story(request, asset_id):
    asset = _asset_or_404(request, asset_id)
    transcript = Transcript.objects.filter(asset=asset).first()
    if transcript is None or not transcript.segments.exists():
        messages.error(request, "Bản ghi lời chưa có nội dung để tạo bài.")
        return redirect("transcripts_edit", asset_id=asset.pk)
    form = StoryFromTranscriptForm(
        request.POST or None, user=request.user, initial={"title": asset.title}
    )
    if request.method == "POST" and form.is_valid():
        try:
            story = services.story_from_transcript(
                transcript=transcript,
                section=form.cleaned_data["section"],
                title=form.cleaned_data["title"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _message(exc))
        except PermissionDenied as exc:
            form.add_error("section", str(exc))
        else:
            messages.success(request, f"Đã tạo bản nháp “{story.title}” từ bản ghi lời.")
            return redirect(reverse("wagtailadmin_pages:edit", args=[story.pk]))
    return render(
        request,
        "transcripts/admin/story_form.html",
        {"asset": asset, "transcript": transcript, "form": form},
    )
