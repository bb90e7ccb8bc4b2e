"""Demo of "Nghe bài viết" (`manage.py load_initial_data`): the two latest free text
stories of each outlet are read aloud (offline espeak-ng: the demo has no provider key),
and Báo Thanh Hóa lets its paid stories be heard, so its latest premium text story has an
audio version only `docgia.thuebao` gets. Skipped where HOITU_SPEECH_DEMO is off (tests)."""

from django.conf import settings

from aiservices.models import AIPolicy
from newsroom.models import Agency, Outlet, StoryPage
from paywall.access import AccessLevel

from .services import story_audio_request

PER_OUTLET = 2


def _latest(outlet, **filters):
    return (
        StoryPage.objects.live()
        .descendant_of(outlet.site.root_page)
        .filter(primary_format="text", **filters)
        .order_by("-first_published_at")
    )


def load(stdout=None) -> None:
    if not settings.HOITU_SPEECH_DEMO:
        return
    bao = Agency.objects.filter(slug="baothanhhoa").first()
    if bao is not None:
        AIPolicy.objects.update_or_create(agency=bao, defaults={"listen_to_paid": True})
    stories = []
    for outlet in Outlet.objects.select_related("site__root_page", "agency"):
        stories += list(_latest(outlet, access_level=AccessLevel.FREE)[:PER_OUTLET])
        if outlet.agency_id == getattr(bao, "pk", None):
            stories += list(_latest(outlet, access_level=AccessLevel.PREMIUM)[:1])
    for story in stories:
        story_audio_request(story)  # eager Celery in `make run`: made here
    if stdout:
        stdout.write(f"Nghe bài viết: {len(stories)} demo stories read aloud.")
