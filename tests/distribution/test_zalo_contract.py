"""Zalo OA behaviours as the platform has them (issue 16): a cover on every article,
-214 "being processed" on verify, video statuses 2 (locked) and 5 (deleted)."""

import pytest

from distribution.content import PLATFORM_IMAGE_SPEC
from distribution.models import Delivery, DeliveryState, DistributionSettings, PlatformCopy

from .test_deliveries import due_again, tv_story  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def outlet_cover_url(story):
    cover = DistributionSettings.for_site(story.get_site()).zalo_cover
    assert cover is not None, "the demo sets a default cover for every outlet"
    return cover.get_rendition(PLATFORM_IMAGE_SPEC).url


def test_story_without_image_goes_out_with_the_outlets_cover(
    fast, zalo_fake, zalo_platform, free_story, publish
):
    publish(free_story, lead_image=None)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    cover = zalo_fake.articles[delivery.remote_id]["cover"]
    assert cover["cover_type"] == "photo"
    assert cover["photo_url"].endswith(outlet_cover_url(free_story))


def test_story_with_image_keeps_its_own_cover(fast, zalo_fake, zalo_platform, free_story, publish):
    assert free_story.lead_image_id
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    cover = zalo_fake.articles[delivery.remote_id]["cover"]["photo_url"]
    assert cover.endswith(free_story.lead_image.get_rendition(PLATFORM_IMAGE_SPEC).url)


def test_no_cover_anywhere_fails_with_a_reason_and_sends_nothing(
    fast, zalo_fake, zalo_platform, free_story, publish
):
    config = DistributionSettings.for_site(free_story.get_site())
    config.zalo_cover = None
    config.save()
    publish(free_story, lead_image=None)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.FAILED
    assert "ảnh bìa mặc định" in delivery.last_error
    assert not [entry for entry in zalo_fake.log if entry[0] == "/v2.0/article/create"]


def test_imitation_refuses_an_article_without_cover(zalo_fake):
    answer = zalo_fake.create(
        {"type": "normal", "title": "T", "author": "A", "description": "D", "body": [{}]}
    )
    assert answer == {"error": -201, "message": "Invalid parameter: cover is required"}


def test_verify_answering_214_is_waited_for_and_the_copy_recorded(
    fast, zalo_fake, zalo_platform, free_story, publish, django_capture_on_commit_callbacks
):
    zalo_fake.polls_before_ready = 5  # -214 five times; we poll three times per attempt
    publish(free_story)
    delivery = Delivery.objects.get(story=free_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.RETRYING, delivery.last_error
    assert delivery.progress.get("zalo_token"), "the processing token is kept"
    verifies = [e for e in zalo_fake.log if e[0] == "/v2.0/article/verify"]
    assert len(verifies) == 3
    delivery = due_again(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED, delivery.last_error
    creates = [e for e in zalo_fake.log if e[0] == "/v2.0/article/create"]
    assert len(creates) == 1, "a retry verifies, it never creates again"
    copy = PlatformCopy.objects.get(story=free_story, platform=zalo_platform)
    assert copy.remote_id == delivery.remote_id and copy.remote_id in zalo_fake.articles


@pytest.mark.parametrize("status,words", [(2, "khóa"), (5, "xóa")])
def test_locked_or_deleted_video_fails_at_once_with_the_reason(
    fast,
    zalo_fake,
    zalo_platform,
    tv_story,  # noqa: F811
    publish,
    status,
    words,  # noqa: F811
):
    zalo_fake.video_outcome = status
    publish(tv_story, primary_format="tv")
    delivery = Delivery.objects.get(story=tv_story, platform=zalo_platform)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1
    assert words in delivery.last_error and f"trạng thái {status}" in delivery.last_error
    assert not [e for e in zalo_fake.log if e[0] == "/v2.0/article/create"]
