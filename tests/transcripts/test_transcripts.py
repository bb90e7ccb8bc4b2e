"""Transcripts of radio and TV cuts: the adapters against imitation providers on
127.0.0.1, the run on a cut becoming ready, the not-configured and paid rules, staff
correction (agency-scoped), the staff search, the draft story, the reader page."""

import pytest
from celery.exceptions import Retry
from django.contrib.auth import get_user_model
from wagtail.models import PageLogEntry

from aiservices.models import AIPolicy, CallLog, UsageMonth
from newsroom.models import SectionPage, StoryPage
from transcripts.models import Transcript, TranscriptStatus
from transcripts.services import transcript_correct
from transcripts.tasks import transcribe_cut

from .fakes import SENTENCES

pytestmark = pytest.mark.django_db

User = get_user_model()


def login(client, username):
    client.force_login(User.objects.get(username=username))


def segments(asset):
    return list(Transcript.objects.get(asset=asset).segments.all())


def test_fpt_gets_16khz_mono_chunks_and_segments_keep_their_place_in_the_cut(
    bao, account, stt, make_cut
):
    account(bao, "fpt")
    cut = make_cut(bao)
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.status == TranscriptStatus.DONE, transcript.error
    assert transcript.provider == "fpt" and not transcript.corrected
    # 7 s in chunks of at most 2 s: 2 + 2 + 2 + 1, each a 16 kHz mono 16-bit WAV.
    sent = [r["wav"] for r in stt.requests]
    assert all(r["auth_ok"] for r in stt.requests)
    assert [round(w["duration"], 1) for w in sent] == [2.0, 2.0, 2.0, 1.0]
    assert {(w["rate"], w["channels"], w["width"]) for w in sent} == {(16000, 1, 2)}
    found = segments(cut)
    assert [(round(s.start, 1), round(s.end, 1)) for s in found] == [
        (0.0, 2.0),
        (2.0, 4.0),
        (4.0, 6.0),
        (6.0, 7.0),
    ]
    assert [s.text for s in found] == SENTENCES[:4]
    assert all(s.original_text == s.text for s in found)
    # Counted: one successful call of 7 seconds of audio.
    log = CallLog.objects.get(agency=bao, capability="stt")
    assert log.ok and log.provider == "fpt" and log.units == 7
    assert UsageMonth.objects.get(agency=bao, provider="fpt", capability="stt").units == 7


def test_viettel_segments_are_offset_by_their_chunk_start(bao, account, stt, make_cut):
    account(bao, "viettel")
    cut = make_cut(bao)
    assert Transcript.objects.get(asset=cut).provider == "viettel"
    assert [round(r["wav"]["duration"], 1) for r in stt.requests] == [3.0, 3.0, 1.0]
    found = segments(cut)
    # Each chunk's answer: [0.1, half - 0.1] and [half, total - 0.1] in the chunk's own
    # time; in the cut, shifted by the lengths of the chunks before it.
    expected, offset = [], 0.0
    for request in stt.requests:
        total = request["wav"]["duration"]
        half = round(total / 2, 3)
        expected += [(offset + 0.1, offset + half - 0.1), (offset + half, offset + total - 0.1)]
        offset += total
    assert [(s.start, s.end) for s in found] == [
        (pytest.approx(a, abs=0.002), pytest.approx(b, abs=0.002)) for a, b in expected
    ]
    assert round(found[2].start, 1) == 3.1 and round(found[-1].end, 1) == 6.9
    assert found[1].text == "sáng nay huyện nga sơn ra quân thu hoạch lúa chiêm xuân"


def test_a_wrong_key_is_refused_and_the_next_account_is_tried(bao, account, stt, make_cut):
    account(bao, "fpt", key="khoa-sai", priority=1)
    account(bao, "viettel", priority=2)
    cut = make_cut(bao)
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.status == TranscriptStatus.DONE and transcript.provider == "viettel"
    assert [r["auth_ok"] for r in stt.requests][:1] == [False]
    calls = CallLog.objects.filter(agency=bao, capability="stt").order_by("at")
    assert [(c.provider, c.ok) for c in calls] == [("fpt", False), ("viettel", True)]
    assert "401" in calls[0].error


@pytest.mark.parametrize("mode", ["busy", "down", "garbage"])
def test_a_failing_provider_leaves_the_cut_ready_and_says_why(bao, account, stt, make_cut, mode):
    stt.mode = mode
    account(bao, "fpt")
    cut = make_cut(bao)  # asserts the cut itself is ready
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.status == TranscriptStatus.FAILED
    assert transcript.error.startswith("Nhà cung cấp không nhận dạng được: FPT.AI")
    assert not transcript.segments.exists()
    assert CallLog.objects.filter(agency=bao, ok=False).count() == 1
    if mode == "garbage":  # a permanent fault: not retried
        assert "not JSON" in transcript.error
        transcribe_cut.apply(args=[cut.pk])
    else:  # passing trouble: the task asks Celery to retry (backoff), until the last try
        with pytest.raises(Retry):
            transcribe_cut.apply(args=[cut.pk])
        transcribe_cut.apply(args=[cut.pk], retries=transcribe_cut.max_retries)
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.FAILED
    stt.mode = "ok"
    transcribe_cut.apply(args=[cut.pk])
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.DONE


def test_without_an_account_the_cut_says_not_configured(client, bao, stt, make_cut):
    cut = make_cut(bao)
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.status == TranscriptStatus.NOT_CONFIGURED
    assert stt.requests == [] and not CallLog.objects.exists()
    login(client, "phongvien.baothanhhoa")
    html = client.get(f"/admin/ban-ghi-loi/{cut.pk}/").content.decode()
    assert "Chưa cấu hình" in html
    assert "disabled>Tạo bản ghi lời</button>" in html


def _story(section, cut, access_level, title):
    story = StoryPage(
        title=title, standfirst="Sapo.", access_level=access_level, audio=cut, live=True
    )
    section.add_child(instance=story)
    return story


def test_a_cut_used_only_in_paid_stories_stays_home_unless_the_agency_allows(
    client, bao, account, stt, make_cut, django_capture_on_commit_callbacks
):
    account(bao, "fpt")
    cut = make_cut(bao)
    Transcript.objects.filter(asset=cut).delete()
    stt.requests.clear()
    section = (
        SectionPage.objects.filter(title="Thời sự")
        .descendant_of(bao.outlets.first().site.root_page)
        .first()
        or SectionPage.objects.descendant_of(bao.outlets.first().site.root_page).first()
    )
    paid = _story(section, cut, "premium", "Bài thu phí có tệp phát thanh")
    login(client, "phongvien.baothanhhoa")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ban-ghi-loi/{cut.pk}/tao/")
    transcript = Transcript.objects.get(asset=cut)
    assert transcript.status == TranscriptStatus.PAID_REFUSED and stt.requests == []
    assert "thu phí" in client.get(f"/admin/ban-ghi-loi/{cut.pk}/").content.decode()
    # Also used by a free story: its words are public anyway.
    free = _story(section, cut, "free", "Bài miễn phí cùng tệp")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ban-ghi-loi/{cut.pk}/tao/")
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.DONE
    # Paid only again, but the agency consents.
    free.delete()
    stt.requests.clear()
    AIPolicy.objects.create(agency=bao, send_paid_text=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ban-ghi-loi/{cut.pk}/tao/")
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.DONE
    assert len(stt.requests) == 4 and paid.pk


def _correct(client, cut, word_from, word_to):
    data = {}
    for segment in segments(cut):
        data[f"segment-{segment.pk}"] = segment.text.replace(word_from, word_to)
    return client.post(f"/admin/ban-ghi-loi/{cut.pk}/", data)


def test_staff_correct_the_transcript_and_another_agency_cannot_open_it(
    client, bao, account, make_cut
):
    account(bao, "fpt")
    cut = make_cut(bao)
    login(client, "phongvien.ptth")
    assert client.get(f"/admin/ban-ghi-loi/{cut.pk}/").status_code == 404
    assert _correct(client, cut, "nga sơn", "Nga Sơn").status_code == 404
    assert client.get(f"/admin/ban-ghi-loi/{cut.pk}/tao-bai-viet/").status_code == 404
    assert not Transcript.objects.get(asset=cut).corrected
    assert cut.title not in client.get("/admin/ban-ghi-loi/").content.decode()

    login(client, "bientap.baothanhhoa")
    response = _correct(client, cut, "huyện nga sơn", "huyện Nga Sơn")
    assert response.status_code == 302
    transcript = Transcript.objects.get(asset=cut)
    user = User.objects.get(username="bientap.baothanhhoa")
    assert transcript.corrected and transcript.corrected_by == user
    second = segments(cut)[1]
    assert second.text == "sáng nay huyện Nga Sơn ra quân thu hoạch lúa chiêm xuân"
    assert second.original_text == SENTENCES[1]  # the provider's words kept
    html = client.get(f"/admin/ban-ghi-loi/{cut.pk}/").content.decode()
    assert "Máy nhận dạng: " + SENTENCES[1] in html and "đã hiệu đính bởi" in html
    assert f'data-seek="{second.start}"' in html
    # Logged (and mirrored into the audit log).
    assert transcript.pk and (
        __import__("wagtail.models", fromlist=["ModelLogEntry"])
        .ModelLogEntry.objects.filter(action="transcripts.correct", user=user)
        .exists()
    )
    # A corrected transcript is not overwritten by the button.
    client.post(f"/admin/ban-ghi-loi/{cut.pk}/tao/")
    assert segments(cut)[1].text.startswith("sáng nay huyện Nga Sơn")


def test_bad_correction_changes_nothing(client, bao, account, make_cut):
    account(bao, "fpt")
    cut = make_cut(bao)
    first = segments(cut)[0]
    login(client, "phongvien.baothanhhoa")
    html = client.post(
        f"/admin/ban-ghi-loi/{cut.pk}/", {f"segment-{first.pk}": "quá dài " * 1000}
    ).content.decode()
    assert "dài quá 5000 ký tự" in html
    assert segments(cut)[0].text == SENTENCES[0]
    assert not Transcript.objects.get(asset=cut).corrected


def test_staff_archive_search_finds_a_corrected_word_only_in_its_agency(
    client, bao, account, make_cut
):
    account(bao, "fpt")
    cut = make_cut(bao)
    login(client, "phongvien.baothanhhoa")
    search = "/admin/tim-kiem-luu-tru/?q=chiem+xuan+Nga+Son"
    assert f"/admin/ban-ghi-loi/{cut.pk}/" not in client.get(search).content.decode()
    transcript_correct(
        transcript=Transcript.objects.get(asset=cut),
        user=User.objects.get(username="phongvien.baothanhhoa"),
        texts={s.pk: s.text.replace("nga sơn", "Nga Sơn") for s in segments(cut)},
    )
    html = client.get(search).content.decode()
    assert f"/admin/ban-ghi-loi/{cut.pk}/" in html and "0:02" in html
    assert "huyện Nga Sơn ra quân" in html
    # Whole words only; the transcript screen's own search too.
    assert (
        f"/admin/ban-ghi-loi/{cut.pk}/"
        not in client.get("/admin/tim-kiem-luu-tru/?q=ng").content.decode()
    )
    assert (
        f"/admin/ban-ghi-loi/{cut.pk}/"
        in client.get("/admin/ban-ghi-loi/?q=lúa chiêm").content.decode()
    )
    login(client, "phongvien.ptth")
    assert f"/admin/ban-ghi-loi/{cut.pk}/" not in client.get(search).content.decode()


def test_a_draft_text_story_is_made_from_the_transcript(client, bao, ptth, account, make_cut):
    account(bao, "fpt")
    cut = make_cut(bao)
    login(client, "phongvien.baothanhhoa")
    form = client.get(f"/admin/ban-ghi-loi/{cut.pk}/tao-bai-viet/").content.decode()
    own = SectionPage.objects.descendant_of(bao.outlets.first().site.root_page).first()
    other = SectionPage.objects.descendant_of(ptth.outlets.first().site.root_page).first()
    assert f'value="{own.pk}"' in form and f'value="{other.pk}"' not in form
    # Another agency's section, or none: refused, nothing made.
    before = StoryPage.objects.count()
    html = client.post(
        f"/admin/ban-ghi-loi/{cut.pk}/tao-bai-viet/", {"title": "Nga Sơn", "section": other.pk}
    ).content.decode()
    assert "bạn không có quyền đăng bài ở đó" in html
    html = client.post(
        f"/admin/ban-ghi-loi/{cut.pk}/tao-bai-viet/", {"title": " ", "section": own.pk}
    ).content.decode()
    assert "Hãy nhập tiêu đề bài." in html
    assert StoryPage.objects.count() == before

    response = client.post(
        f"/admin/ban-ghi-loi/{cut.pk}/tao-bai-viet/",
        {"title": "Nga Sơn ra quân thu hoạch lúa chiêm xuân", "section": own.pk},
    )
    story = StoryPage.objects.get(title="Nga Sơn ra quân thu hoạch lúa chiêm xuân")
    assert response.status_code == 302 and response["Location"].endswith(f"/pages/{story.pk}/edit/")
    user = User.objects.get(username="phongvien.baothanhhoa")
    assert story.get_parent().pk == own.pk
    assert not story.live and story.has_unpublished_changes and story.first_published_at is None
    assert story.latest_revision is not None and story.latest_revision.user == user
    assert story.audio_id == cut.pk and story.primary_format == "text"
    assert [b.author for b in story.bylines.all()] == [user]
    body = " ".join(str(block.value) for block in story.body)
    assert all(sentence in body for sentence in SENTENCES[:4])
    assert story.standfirst.startswith("thưa quý vị")
    assert PageLogEntry.objects.filter(page=story, action="wagtail.create").exists()


def test_reader_page_shows_only_a_corrected_transcript(client, bao, account, make_cut):
    account(bao, "fpt")
    cut = make_cut(bao)
    story = StoryPage.objects.live().filter(access_level="free", audio__isnull=False).first()
    story.audio = cut
    story.save_revision().publish()
    url = story.get_url()
    host = story.get_site().hostname
    html = client.get(url, HTTP_HOST=host).content.decode()
    assert "Xem lời thoại" not in html
    transcript_correct(
        transcript=Transcript.objects.get(asset=cut),
        user=User.objects.get(username="bientap.baothanhhoa"),
        texts={s.pk: s.text.replace("nga sơn", "Nga Sơn") for s in segments(cut)},
    )
    html = client.get(url, HTTP_HOST=host).content.decode()
    assert "<summary>Xem lời thoại</summary>" in html
    assert "huyện Nga Sơn ra quân" in html and "0:02" in html


def _correct_all(cut):
    transcript_correct(
        transcript=Transcript.objects.get(asset=cut),
        user=User.objects.get(username="bientap.baothanhhoa"),
        texts={s.pk: s.text.replace("nga sơn", "Nga Sơn") for s in segments(cut)},
    )


def test_a_paid_story_shows_its_transcript_only_to_readers_it_lets_in(
    client, bao, account, make_cut
):
    account(bao, "fpt")
    AIPolicy.objects.create(agency=bao, send_paid_text=True)
    cut = make_cut(bao)
    _correct_all(cut)
    story = StoryPage.objects.live().filter(access_level="free", audio__isnull=False).first()
    story.audio = cut
    story.access_level = "premium"
    story.save_revision().publish()
    url, host = story.get_url(), story.get_site().hostname
    html = client.get(url, HTTP_HOST=host).content.decode()
    assert "Xem lời thoại" not in html and "huyện Nga Sơn" not in html
    login(client, "docgia.thuebao")
    html = client.get(url, HTTP_HOST=host).content.decode()
    assert "Xem lời thoại" in html and "huyện Nga Sơn ra quân" in html


def test_a_free_tv_cut_gets_webvtt_captions_and_a_paid_one_does_not(client, bao, account, make_cut):
    account(bao, "viettel")
    cut = make_cut(bao, title="Phóng sự: mùa gặt ở Nga Sơn", media_type="video")
    vtt = f"/loi-thoai/{cut.pk}.vtt"
    assert client.get(vtt).status_code == 404  # not corrected yet
    _correct_all(cut)
    response = client.get(vtt)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == "WEBVTT"
    first = segments(cut)[0]
    assert lines[2:5] == [
        "1",
        f"00:00:{first.start:06.3f} --> 00:00:{first.end:06.3f}",
        first.text.replace("nga sơn", "Nga Sơn"),
    ]
    assert "00:00:01.5" in text and "huyện Nga Sơn ra quân" in text
    assert text.count(" --> ") == len(segments(cut))
    story = StoryPage.objects.live().filter(access_level="free", video__isnull=False).first()
    story.video = cut
    story.save_revision().publish()
    html = client.get(story.get_url(), HTTP_HOST=story.get_site().hostname).content.decode()
    assert f'<track kind="captions" srclang="vi" label="Tiếng Việt" src="{vtt}">' in html
    # Once a paid story uses the cut, its words are not public.
    story.access_level = "premium"
    story.save_revision().publish()
    assert client.get(vtt).status_code == 404


def test_a_follower_failing_on_a_ready_cut_never_fails_the_cut(bao, account, make_cut):
    from newsroom.events import media_ready

    def broken(sender, asset_id, **kwargs):
        raise RuntimeError("follower bug")

    media_ready.connect(broken, dispatch_uid="test_broken_follower")
    try:
        account(bao, "fpt")
        cut = make_cut(bao)  # asserts the cut is ready
    finally:
        media_ready.disconnect(dispatch_uid="test_broken_follower")
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.DONE


def test_demo_cuts_have_corrected_transcripts_shown_to_readers(client, demo):
    story = StoryPage.objects.live().filter(access_level="free", video__isnull=False).first()
    html = client.get(story.get_url(), HTTP_HOST=story.get_site().hostname).content.decode()
    assert "<summary>Xem lời thoại</summary>" in html and "Mùa gặt ở Nga Sơn" in html
    assert f'src="/loi-thoai/{story.video_id}.vtt"' in html


def test_a_request_whose_job_never_reached_the_broker_is_queued_again_by_beat(
    bao, account, make_cut, settings, django_capture_on_commit_callbacks
):
    """The broker was away when "Tạo lại" committed: the transcript stays pending; beat
    sends it again once it is older than the task's retries and the default queue holds no
    backlog."""
    import datetime

    from django.utils import timezone

    from tests.support import broker_backlog
    from transcripts.services import transcript_request, transcripts_requeue

    account(bao, "fpt")
    cut = make_cut(bao)
    with django_capture_on_commit_callbacks(execute=False):
        transcript_request(asset=cut)
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.PENDING
    assert transcripts_requeue() == []  # young: perhaps in a worker's hands
    old = timezone.now() - datetime.timedelta(seconds=settings.HOITU_TRANSCRIPT_REQUEUE_AFTER + 60)
    Transcript.objects.filter(asset=cut).update(updated_at=old)
    with broker_backlog("celery"):
        assert transcripts_requeue() == []
    assert transcripts_requeue() == [cut.pk]  # eager here: transcribed at once
    assert Transcript.objects.get(asset=cut).status == TranscriptStatus.DONE
