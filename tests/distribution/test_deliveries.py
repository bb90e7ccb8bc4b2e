from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from distribution.models import Delivery, DeliveryAction, DeliveryState, Platform, PlatformCopy
from distribution.services import delivery_process, delivery_retry, story_deliveries_create
from newsroom.models import StoryPage
from paywall.gating import paid_blocks

pytestmark = pytest.mark.django_db


def due_again(delivery, django_capture_on_commit_callbacks):
    """Makes a waiting retry due now and runs it (what the timer would do later)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_try_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_zalo_create_verify_update_remove(
    fast, zalo_fake, zalo_platform, free_story, publish, unpublish
):
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert delivery.action == DeliveryAction.PUBLISH
    article_id = delivery.remote_id
    assert article_id in zalo_fake.articles
    article = zalo_fake.articles[article_id]
    assert article["title"] == free_story.title
    assert article["type"] == "normal"
    assert article["cover"]["photo_url"].startswith("http")
    assert article["tracking_link"] == free_story.get_full_url()
    # create answered a token; verify was polled until the id came back
    paths = [entry[0] for entry in zalo_fake.log]
    assert paths.count("/v2.0/article/verify") == 2
    assert (
        PlatformCopy.objects.get(story=free_story, platform=zalo_platform).remote_id == article_id
    )

    publish(free_story, title="Đính chính: " + free_story.title)
    update = Delivery.objects.filter(story=free_story, platform=zalo_platform).first()
    assert update.action == DeliveryAction.UPDATE
    assert update.state == DeliveryState.DELIVERED, update.last_error
    assert update.remote_id == article_id
    assert zalo_fake.articles[article_id]["title"].startswith("Đính chính: ")
    assert len(zalo_fake.articles) == 1

    unpublish(free_story)
    removal = Delivery.objects.filter(story=free_story, platform=zalo_platform).first()
    assert removal.action == DeliveryAction.REMOVE
    assert removal.state == DeliveryState.DELIVERED, removal.last_error
    assert zalo_fake.articles == {}
    assert zalo_fake.removed == [article_id]
    assert not PlatformCopy.objects.filter(story=free_story).exists()


def test_paid_story_sends_only_the_preview(fast, zalo_fake, zalo_platform, premium_story, publish):
    publish(premium_story)
    delivery = Delivery.objects.get(story=premium_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    sent = str(zalo_fake.articles[delivery.remote_id])
    for block in paid_blocks(premium_story):
        if block.block_type == "paragraph":
            assert block.value.source[3:60] not in sent
    assert "Đọc toàn bài tại" in sent


def test_expired_token_refreshes_once_and_stores_the_new_pair(
    fast, zalo_fake, zalo_platform, free_story, publish
):
    zalo_fake.access_token = "AT-rotated-by-zalo"  # ours is now expired: -216
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert zalo_fake.refreshes == 1
    platform = Platform.objects.get(pk=zalo_platform.pk)
    assert platform.credentials["access_token"] == zalo_fake.access_token == "AT-2"
    assert platform.credentials["refresh_token"] == zalo_fake.refresh_token == "RT-2"
    # stored encrypted: the database column never holds the token in clear
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM distribution_platform WHERE id = %s", [platform.pk]
        )
        stored = cursor.fetchone()[0]
    assert "AT-2" not in stored and "RT-2" not in stored


def test_refused_refresh_fails_with_the_platform_reason(
    fast, zalo_fake, zalo_platform, free_story, publish
):
    zalo_fake.access_token = "AT-rotated"
    zalo_fake.refresh_token = "RT-someone-else-used-ours"
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.FAILED
    assert "-14014" in delivery.last_error and "Invalid refresh token" in delivery.last_error


def test_stale_token_seen_twice_is_refreshed_once(fast, zalo_fake, zalo_platform):
    from distribution.services import platform_refresh_zalo_token

    stale = zalo_platform.credentials["access_token"]
    first = platform_refresh_zalo_token(platform_id=zalo_platform.pk, stale=stale)
    second = platform_refresh_zalo_token(platform_id=zalo_platform.pk, stale=stale)
    assert zalo_fake.refreshes == 1
    assert first.credentials == second.credentials


def test_field_limits_are_respected(fast, zalo_fake, zalo_platform, free_story, publish):
    long_title = ("Thanh Hóa đẩy mạnh chuyển đổi số báo chí " * 6).strip()
    publish(free_story, title=long_title, standfirst="Sapo rất dài. " * 40)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    article = zalo_fake.articles[delivery.remote_id]
    assert len(article["title"]) <= 150 and article["title"].endswith("…")
    assert len(article["description"]) <= 300
    assert len(article["author"]) <= 50


def test_rejected_field_fails_without_retry_and_touches_nothing_else(
    fast, zalo_fake, zalo_platform, push_fake, push_platform, free_story, publish
):
    zalo_fake.reject_fields = {"tracking_link"}
    before = StoryPage.objects.get(pk=free_story.pk)
    publish(free_story)
    zalo = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert zalo.state == DeliveryState.FAILED
    assert zalo.attempts == 1 and zalo.next_try_at is None
    assert "Invalid parameter: tracking_link" in zalo.last_error
    push = Delivery.objects.get(story=free_story, platform=push_platform)
    assert push.state == DeliveryState.DELIVERED
    after = StoryPage.objects.get(pk=free_story.pk)
    assert after.live and after.title == before.title
    assert len(push_fake.received) == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("500", "HTTP 500"),
        ("429", "HTTP 429"),
        ("timeout", "timed out"),
        ("garbage", "unreadable answer"),
        # Zalo created the article but the answer was lost: the retry must find it.
        ("lost", "timed out"),
    ],
)
def test_transient_faults_retry_with_backoff_then_deliver(
    fast,
    zalo_fake,
    zalo_platform,
    free_story,
    publish,
    django_capture_on_commit_callbacks,
    fault,
    reason,
):
    zalo_fake.forced_faults = [fault]
    start = timezone.now()
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.RETRYING
    assert reason in delivery.last_error
    assert delivery.next_try_at > start + timedelta(seconds=20)  # 30 s ± jitter
    assert free_story.pk in StoryPage.objects.live().values_list("pk", flat=True)
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert delivery.attempts == 2
    assert len(zalo_fake.articles) == 1
    assert list(zalo_fake.articles) == [delivery.remote_id]


def test_lost_create_is_found_past_the_first_page_of_newer_articles(
    fast, zalo_fake, zalo_platform, free_story, publish, django_capture_on_commit_callbacks
):
    zalo_fake.forced_faults = ["lost"]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.RETRYING
    with zalo_fake.lock:  # other stories of the agency went out after ours (busy newsroom)
        for i in range(12):
            zalo_fake.articles[f"newer-{i}"] = {"title": f"Tin khác {i}", "type": "normal"}
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    ours = [k for k, body in zalo_fake.articles.items() if body["title"] == free_story.title]
    assert ours == [delivery.remote_id]


def test_lost_create_found_then_failed_update_is_retried_as_an_update(
    fast, zalo_fake, zalo_platform, free_story, publish, django_capture_on_commit_callbacks
):
    zalo_fake.forced_faults = ["lost", "500"]  # the create lands unseen, the update fails
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.RETRYING
    assert "update: HTTP 500" in delivery.last_error
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert len([e for e in zalo_fake.log if e[0] == "/v2.0/article/create"]) == 1
    assert list(zalo_fake.articles) == [delivery.remote_id]


def _land_late(fake, title, article_id):
    """What Zalo does with a create whose caller had already given up on it."""
    with fake.lock:
        fake.articles[article_id] = {"title": title, "type": "normal"}


def test_unanswered_create_is_looked_for_only_after_it_can_have_landed(
    fast, zalo_fake, zalo_platform, free_story, publish, django_capture_on_commit_callbacks
):
    fast.DISTRIBUTION_ZALO_SETTLE_SECONDS = 60
    zalo_fake.forced_faults = ["timeout"]  # no answer, and nothing created yet
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.next_try_at >= delivery.updated_at + timedelta(seconds=59)
    # Zalo carries out the timed-out create late, after the usual backoff would have run.
    _land_late(zalo_fake, free_story.title, "art-late")
    creates = len([e for e in zalo_fake.log if e[0] == "/v2.0/article/create"])
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.RETRYING
    assert "looking for the article in" in delivery.last_error
    assert delivery.attempts == 2
    assert len([e for e in zalo_fake.log if e[0] == "/v2.0/article/create"]) == creates
    assert not [e for e in zalo_fake.log if e[0] == "/v2.0/article/getslice"]
    # Once the wait is over the retry finds the late article and brings it up to date.
    progress = dict(delivery.progress)
    progress["zalo_create_unanswered"] -= 61
    Delivery.objects.filter(pk=delivery.pk).update(progress=progress)
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert delivery.remote_id == "art-late"
    assert list(zalo_fake.articles) == ["art-late"]
    assert zalo_fake.articles["art-late"]["tracking_link"] == free_story.get_full_url()


def test_create_and_its_retry_both_landed_one_is_removed_other_stories_untouched(
    fast,
    zalo_fake,
    zalo_platform,
    free_story,
    publish,
    django_capture_on_commit_callbacks,
):
    # Yesterday's story of the same title (a daily bulletin) is another story's copy.
    other = StoryPage.objects.live().exclude(pk=free_story.pk).first()
    _land_late(zalo_fake, free_story.title, "art-yesterday")
    PlatformCopy.objects.create(story=other, platform=zalo_platform, remote_id="art-yesterday")
    zalo_fake.forced_faults = ["timeout"]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform, action="publish")
    assert delivery.state == DeliveryState.RETRYING
    _land_late(zalo_fake, free_story.title, "art-first")
    _land_late(zalo_fake, free_story.title, "art-second")
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    assert delivery.remote_id == "art-first"
    assert zalo_fake.removed == ["art-second"]
    assert sorted(zalo_fake.articles) == ["art-first", "art-yesterday"]


def test_backoff_grows_and_gives_up(
    fast,
    push_fake,
    push_platform,
    free_story,
    publish,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.DISTRIBUTION_MAX_ATTEMPTS = 3
    push_fake.statuses = [503, 503, 503]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=push_platform)
    gaps = []
    for _ in range(2):
        gaps.append((delivery.next_try_at - delivery.updated_at).total_seconds())
        delivery = due_again(delivery, django_capture_on_commit_callbacks)
    # 30 s then 60 s, each ±20 % jitter
    assert 23 <= gaps[0] <= 37 and 47 <= gaps[1] <= 73, gaps
    assert delivery.state == DeliveryState.FAILED
    assert "HTTP 503" in delivery.last_error and "3 lần thử" in delivery.last_error
    assert push_fake.received == []


def test_client_error_is_not_retried(fast, push_fake, push_platform, free_story, publish):
    push_fake.statuses = [422]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=push_platform)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1 and delivery.next_try_at is None
    assert "HTTP 422" in delivery.last_error


def test_push_is_signed_and_carries_media_by_url(
    fast, push_fake, push_platform, free_story, publish
):
    publish(free_story)
    assert Delivery.objects.get(story=free_story, platform=push_platform).state == "delivered"
    (payload,) = push_fake.received  # the fake checks the HMAC signature
    assert payload["event"] == "story.published"
    assert payload["title"] == free_story.title
    assert payload["media"][0]["url"].startswith("http")


def test_same_revision_twice_makes_one_delivery(
    fast, zalo_fake, zalo_platform, free_story, publish, django_capture_on_commit_callbacks
):
    story = publish(free_story)
    revision = StoryPage.objects.get(pk=story.pk).live_revision_id
    with django_capture_on_commit_callbacks(execute=True):
        story_deliveries_create(story_id=story.pk, action="publish", revision_id=revision)
        story_deliveries_create(story_id=story.pk, action="publish", revision_id=revision)
    assert Delivery.objects.filter(story=story, platform=zalo_platform).count() == 1
    assert len(zalo_fake.articles) == 1


def test_manual_resend_reuses_the_row(
    fast, push_fake, push_platform, free_story, publish, django_capture_on_commit_callbacks, demo
):
    from django.contrib.auth import get_user_model

    push_fake.statuses = [400]
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=push_platform)
    assert delivery.state == DeliveryState.FAILED
    chief = get_user_model().objects.get(username="tongbientap.baothanhhoa")
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(delivery=delivery, user=chief)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert Delivery.objects.filter(story=free_story, platform=push_platform).count() == 1
    with pytest.raises(ValidationError):
        delivery_retry(delivery=delivery, user=chief)
    assert len(push_fake.received) == 1


def test_takedown_cancels_waiting_publish(
    fast, push_fake, push_platform, free_story, publish, unpublish
):
    push_fake.statuses = [503]
    publish(free_story)
    waiting = Delivery.objects.get(story=free_story, platform=push_platform)
    assert waiting.state == DeliveryState.RETRYING
    unpublish(free_story)
    waiting.refresh_from_db()
    assert waiting.state == DeliveryState.CANCELLED
    # nothing was held there, so no removal is needed
    assert not Delivery.objects.filter(story=free_story, action=DeliveryAction.REMOVE).exists()
    assert push_fake.received == []


def test_disabled_platform_gets_nothing(fast, zalo_fake, zalo_platform, free_story, publish):
    Platform.objects.filter(pk=zalo_platform.pk).update(enabled=False)
    publish(free_story)
    assert not Delivery.objects.filter(story=free_story, platform=zalo_platform).exists()


@pytest.fixture
def tv_story(agency, free_story, tmp_path, settings):
    """A TV story with a real (one second, ffmpeg-made) mp4 cut."""
    import subprocess

    from django.core.files import File

    from newsroom.models import MediaAsset

    clip_path = tmp_path / "ban-tin.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=10",
            "-t",
            "1",
            "-pix_fmt",
            "yuv420p",
            str(clip_path),
        ],
        check=True,
    )
    with clip_path.open("rb") as handle:
        video = MediaAsset(title="Bản tin", type="video", duration=1)
        video.file.save("ban-tin.mp4", File(handle), save=False)
        video.save()
    StoryPage.objects.filter(pk=free_story.pk).update(primary_format="tv", video=video)
    return StoryPage.objects.get(pk=free_story.pk)


def test_tv_story_goes_out_as_a_zalo_video_article(
    fast, zalo_fake, zalo_platform, tv_story, publish
):
    publish(tv_story, primary_format="tv")
    delivery = Delivery.objects.get(story=tv_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    article = zalo_fake.articles[delivery.remote_id]
    assert article["type"] == "video"
    assert article["video_id"] in zalo_fake.videos
    assert article["avatar"].startswith("http")
    uploads = [e for e in zalo_fake.log if e[0] == "/v2.0/article/upload_video/preparevideo"]
    assert len(uploads) == 1 and uploads[0][1] > 1000


def test_paid_tv_story_goes_to_zalo_without_its_video(
    fast, zalo_fake, zalo_platform, tv_story, publish
):
    # The cut of a paid story follows its text's gate: Zalo would show it to everyone.
    publish(tv_story, primary_format="tv", access_level="premium")
    delivery = Delivery.objects.get(story=tv_story, platform=zalo_platform)
    assert not [e for e in zalo_fake.log if "upload_video" in e[0]], zalo_fake.log
    assert not zalo_fake.videos
    if delivery.state == DeliveryState.DELIVERED:
        assert zalo_fake.articles[delivery.remote_id]["type"] != "video"


def test_video_upload_is_not_repeated_on_retry(
    fast, zalo_fake, zalo_platform, tv_story, publish, django_capture_on_commit_callbacks
):
    zalo_fake.polls_before_ready = 5  # still converting after our 3 polls
    publish(tv_story, primary_format="tv")
    delivery = Delivery.objects.get(story=tv_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.RETRYING
    assert "converting" in delivery.last_error
    zalo_fake.polls_before_ready = 0
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    uploads = [e for e in zalo_fake.log if e[0] == "/v2.0/article/upload_video/preparevideo"]
    assert len(uploads) == 1


def test_removal_whose_answer_was_lost_counts_as_done(
    fast,
    zalo_fake,
    zalo_platform,
    free_story,
    publish,
    unpublish,
    django_capture_on_commit_callbacks,
):
    publish(free_story)
    zalo_fake.forced_faults = ["lost"]
    unpublish(free_story)
    removal = Delivery.objects.get(story=free_story, platform=zalo_platform, action="remove")
    assert removal.state == DeliveryState.RETRYING
    assert zalo_fake.articles == {}
    removal = due_again(removal, django_capture_on_commit_callbacks)
    assert removal.state == DeliveryState.DELIVERED, removal.last_error
    assert not PlatformCopy.objects.filter(story=free_story).exists()
