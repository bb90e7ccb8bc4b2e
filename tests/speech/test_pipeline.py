"""After publish: the story's audio is made by the agency's providers in priority order,
then offline espeak-ng (real espeak-ng and ffmpeg: duration and EBU R128 loudness
measured), reused while the spoken text is the same, re-made when it changes, retired on
unpublish and delete; paid text follows the agency's policy; a failing provider never
touches the story."""

import pytest
from django.core.files.storage import default_storage

from aiservices.models import CallLog, UsageMonth
from speech.models import ListenState, StoryAudio
from speech.tasks import make_story_audio
from speech.text import story_text
from tests.media.conftest import ffprobe, integrated_loudness

from .conftest import add_account, publish, set_policy

pytestmark = pytest.mark.django_db


def audio_of(story) -> StoryAudio:
    return StoryAudio.objects.get(story_id=story.pk)


def local(name):
    return default_storage.path(name)


def test_without_accounts_the_offline_voice_reads_the_story_loudness_normalised(
    text_story, bao, django_capture_on_commit_callbacks
):
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.READY, audio.reason
    assert audio.provider == "offline"
    assert "Chưa cấu hình dịch vụ chuyển văn bản thành giọng nói" in audio.reason
    mp3, aac = ffprobe(local(audio.mp3.name)), ffprobe(local(audio.aac.name))
    assert mp3["streams"][0]["codec_name"] == "mp3" and aac["streams"][0]["codec_name"] == "aac"
    # Headline + standfirst + two paragraphs at espeak's pace: well over ten seconds.
    assert float(mp3["format"]["duration"]) > 10
    assert abs(audio.duration - float(mp3["format"]["duration"])) < 0.5
    assert -18.5 < integrated_loudness(local(audio.mp3.name)) < -13.5
    # The name is not guessable (a random part), under speech/<story>/.
    assert audio.mp3.name.startswith(f"speech/{text_story.pk}/") and len(audio.mp3.name) > 30
    call = CallLog.objects.get(agency=bao, capability="tts")
    assert call.ok and call.provider == "offline"
    assert call.units == len(story_text(text_story)) == audio.characters
    assert UsageMonth.objects.get(agency=bao, provider="offline").units == call.units


def test_providers_are_tried_in_priority_order_and_the_first_that_answers_reads_it(
    text_story, bao, providers, django_capture_on_commit_callbacks
):
    add_account(bao, "fpt", base=providers.base, priority=1, key="khoa-da-bi-thu-hoi")
    add_account(bao, "viettel", base=providers.base, priority=2)
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.READY and audio.provider == "viettel"
    assert "FPT.AI: khóa API bị từ chối" in audio.reason
    spoken = " ".join(c["text"] for c in providers.calls("viettel"))
    assert "Ủy ban nhân dân thành phố Thanh Hóa" in spoken and "<p>" not in spoken
    assert all(len(c["text"]) <= 1000 for c in providers.calls("viettel"))
    logs = list(CallLog.objects.filter(agency=bao).order_by("at").values_list("provider", "ok"))
    assert logs == [("fpt", False), ("viettel", True)]
    assert float(ffprobe(local(audio.mp3.name))["format"]["duration"]) > 1


def test_fpt_first_when_it_answers(text_story, bao, providers, django_capture_on_commit_callbacks):
    add_account(bao, "fpt", base=providers.base, priority=1)
    add_account(bao, "viettel", base=providers.base, priority=2)
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.provider == "fpt" and audio.reason == ""
    assert providers.calls("viettel") == []
    assert providers.calls("fpt")[0]["voice"] == "banmai"


def test_same_text_reuses_the_audio_changed_text_remakes_it_and_drops_the_old_files(
    text_story, bao, providers, django_capture_on_commit_callbacks
):
    add_account(bao, "fpt", base=providers.base)
    publish(text_story, django_capture_on_commit_callbacks)
    first = audio_of(text_story)
    calls = len(providers.calls("fpt"))
    # A republish of the same text (say, a new lead image) keeps the files.
    revision = publish(text_story, django_capture_on_commit_callbacks)
    again = audio_of(text_story)
    assert again.mp3.name == first.mp3.name and again.revision_id == revision.pk
    assert len(providers.calls("fpt")) == calls
    # A corrected text is read again; the old files go.
    text_story.body = [("paragraph", "<p>Đính chính: cầu dài 1,3 km.</p>")]
    publish(text_story, django_capture_on_commit_callbacks)
    remade = audio_of(text_story)
    assert remade.state == ListenState.READY and remade.mp3.name != first.mp3.name
    assert "1 phẩy 3 ki-lô-mét" in providers.calls("fpt")[-1]["text"]
    assert not default_storage.exists(first.mp3.name) and not default_storage.exists(first.aac.name)


def test_unpublish_retires_and_delete_removes_the_audio(
    text_story, django_capture_on_commit_callbacks
):
    publish(text_story, django_capture_on_commit_callbacks)
    names = audio_of(text_story).file_names()
    assert all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        text_story.unpublish()
    audio = audio_of(text_story)
    assert audio.state == ListenState.RETIRED and not audio.mp3
    assert not any(default_storage.exists(n) for n in names)
    publish(text_story, django_capture_on_commit_callbacks)
    names = audio_of(text_story).file_names()
    with django_capture_on_commit_callbacks(execute=True):
        text_story.delete()
    assert not StoryAudio.objects.filter(story_id=text_story.pk).exists()
    assert not any(default_storage.exists(n) for n in names)


def test_paid_story_gets_no_audio_unless_the_agency_allows_it(
    text_story, bao, providers, django_capture_on_commit_callbacks
):
    add_account(bao, "fpt", base=providers.base)
    text_story.access_level = "premium"
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.SKIPPED and "Bài thu phí" in audio.reason
    assert providers.requests == [] and not audio.mp3
    # Allowed, but paid text may not leave: read offline, FPT never sees it.
    set_policy(bao, listen_to_paid=True, send_paid_text=False)
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.READY and audio.provider == "offline" and audio.paid
    assert providers.requests == []
    assert "không được gửi tới nhà cung cấp bên ngoài" in audio.reason
    # Both allowed: the provider reads it.
    set_policy(bao, listen_to_paid=True, send_paid_text=True)
    text_story.body = [("paragraph", "<p>Phần dành cho người đăng ký.</p>")]
    publish(text_story, django_capture_on_commit_callbacks)
    assert audio_of(text_story).provider == "fpt"


def test_failing_providers_never_lose_the_story(
    text_story, bao, providers, settings, django_capture_on_commit_callbacks
):
    settings.HOITU_SPEECH_OFFLINE = False
    providers.fpt_status = 500
    add_account(bao, "fpt", base=providers.base)
    title = text_story.title
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    # A 500 is worth another try: the job waits for its retry (the worker's backoff).
    assert audio.state == ListenState.PENDING
    assert audio.reason == "Đang chờ thử lại: FPT.AI: máy chủ của nhà cung cấp gặp lỗi."
    # The last retry gives up and says why; the story is untouched.
    make_story_audio.apply(args=[text_story.pk, audio.generation], retries=5)
    audio = audio_of(text_story)
    assert audio.state == ListenState.FAILED
    assert "FPT.AI: máy chủ của nhà cung cấp gặp lỗi" in audio.reason
    assert "Làm lại" in audio.reason
    assert len(providers.calls("fpt")) == 2
    text_story.refresh_from_db()
    assert text_story.live and text_story.title == title
    assert "cầu Nguyệt Viên mới" in str(text_story.body.raw_data)
    assert text_story.get_latest_revision().pk == text_story.live_revision_id


def test_no_espeak_and_no_account_fails_with_a_clear_reason(
    text_story, settings, django_capture_on_commit_callbacks
):
    settings.HOITU_SPEECH_ESPEAK = "/nonexistent/espeak-ng"
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.FAILED
    assert "Chưa cấu hình dịch vụ chuyển văn bản thành giọng nói" in audio.reason
    assert "máy chủ chưa cài espeak-ng" in audio.reason
    assert text_story.live


def test_provider_answering_something_that_is_not_audio_falls_back(
    text_story, bao, providers, django_capture_on_commit_callbacks
):
    providers.viettel_garbage = True
    add_account(bao, "viettel", base=providers.base)
    publish(text_story, django_capture_on_commit_callbacks)
    audio = audio_of(text_story)
    assert audio.state == ListenState.READY and audio.provider == "offline"
    assert "Viettel AI: trả về tệp không phải âm thanh" in audio.reason


def test_audio_versions_count_as_a_multimedia_product(
    text_story, django_capture_on_commit_callbacks
):
    from analytics import selectors

    publish(text_story, django_capture_on_commit_callbacks)
    year = text_story.first_published_at.year
    agency = audio_of(text_story).story and selectors.Agency.objects.get(
        outlets__site__root_page__in=[text_story.get_site().root_page]
    )
    counts = selectors.production_counts(year=year, agency=agency, by="format")
    assert sum(counts["listen"].values()) == 1
    rows = selectors.production_growth(year=year, agency=agency, by="format")
    listen = next(r for r in rows if r["group"] == selectors.LISTEN_LABEL)
    assert listen["count"] == 1


def test_demo_reads_a_few_stories_and_one_paid_one(
    demo, settings, django_capture_on_commit_callbacks
):
    from speech import demo as speech_demo

    settings.HOITU_SPEECH_DEMO = True
    with django_capture_on_commit_callbacks(execute=True):
        speech_demo.load()
    ready = StoryAudio.objects.filter(state=ListenState.READY)
    assert ready.count() >= 4 and ready.filter(paid=True).count() == 1
    assert not StoryAudio.objects.exclude(state=ListenState.READY).exists()


def test_a_request_whose_job_never_reached_the_broker_is_queued_again_by_beat(
    text_story, bao, settings, django_capture_on_commit_callbacks
):
    """The broker was away when the publish committed (the on-commit send never ran): the
    row stays pending; beat sends it again once it is older than the task's retries and
    the media queue holds no backlog (that backlog may hold the job itself)."""
    import datetime

    from django.utils import timezone

    from speech.services import story_audio_requeue
    from tests.support import broker_backlog

    with django_capture_on_commit_callbacks(execute=False):
        text_story.save_revision().publish()
    assert audio_of(text_story).state == ListenState.PENDING
    assert story_audio_requeue() == []  # young: perhaps in a worker's hands
    old = timezone.now() - datetime.timedelta(seconds=settings.HOITU_SPEECH_REQUEUE_AFTER + 60)
    StoryAudio.objects.filter(story_id=text_story.pk).update(requested_at=old)
    with broker_backlog("media"):
        assert story_audio_requeue() == []
        assert audio_of(text_story).state == ListenState.PENDING
    assert story_audio_requeue() == [text_story.pk]  # eager here: made at once
    audio = audio_of(text_story)
    assert audio.state == ListenState.READY and audio.provider == "offline"
