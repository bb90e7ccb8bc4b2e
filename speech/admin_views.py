"""Staff screens: the state of each story's audio (ready / being made / failed with the
reason / not made), the agency's TTS configuration, and "Làm lại"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.models import Page

from aiservices import services as ai
from audit.services import record
from newsroom.models import StoryPage
from newsroom.selectors import user_agencies

from .models import StoryAudio
from .services import story_agency, story_audio_request


def _roots(user) -> list[str]:
    return list(
        Page.objects.filter(sites_rooted_here__outlet__agency__in=user_agencies(user))
        .distinct()
        .values_list("path", flat=True)
    )


def user_may_see(user) -> bool:
    return user.is_authenticated and user_agencies(user).exists()


def _scoped(user):
    condition = Q(pk__in=[])
    for root in _roots(user):
        condition |= Q(story__path__startswith=root)
    return StoryAudio.objects.filter(condition)


def index(request):
    if not user_may_see(request.user):
        raise PermissionDenied
    rows = _scoped(request.user).select_related("story").order_by("-requested_at", "-pk")
    story_id = request.GET.get("trang", "")
    if story_id.isdigit():
        rows = rows.filter(story_id=int(story_id))
    page = Paginator(rows, 50).get_page(request.GET.get("p"))
    agencies = [
        {"agency": a, "tts": ai.status(a)["tts"], "policy": ai.policy(a)}
        for a in user_agencies(request.user).order_by("name")
    ]
    return TemplateResponse(
        request,
        "speech/admin/index.html",
        {"page": page, "agencies": agencies, "story_id": story_id},
    )


@require_POST
def redo(request, story_id: int):
    """ "Làm lại": needs the right to publish the story, in the user's own agency."""
    story = StoryPage.objects.live().filter(pk=story_id).first()
    if story is None:
        raise Http404("Bài không còn được đăng.")
    agency = story_agency(story)
    if agency is None or not user_agencies(request.user).filter(pk=agency.pk).exists():
        raise Http404("Bài không thuộc cơ quan của bạn.")
    if not story.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    row = story_audio_request(story, force=True)
    record(
        "speech.redo", label="Làm lại bản nghe bài viết", request=request, obj=story, agency=agency
    )
    if row.state == "skipped":
        messages.warning(request, f"Không làm bản nghe: {row.reason}")
    else:
        messages.success(request, f"Đã yêu cầu làm lại bản nghe của “{story.title}”.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("speech_admin:index")
    return redirect(next_url)
