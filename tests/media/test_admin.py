"""Staff see the processing state and the reason of a failure, and can retry."""

import pytest
from django.contrib.auth import get_user_model

from newsroom.models import MediaAsset, ProcessingStatus

from .conftest import read

pytestmark = pytest.mark.django_db


def test_failed_asset_shows_reason_and_retries_from_admin(
    client, demo, django_capture_on_commit_callbacks, make_asset, media_sources
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset("hong.mp3", b"khong phai am thanh" * 10, "audio", "Bản tin hỏng")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.FAILED
    client.force_login(get_user_model().objects.get(username="quantri"))
    listing = client.get("/admin/media/").content.decode()
    assert "Bản tin hỏng" in listing and asset.processing_error in listing
    edit = client.get(f"/admin/media/edit/{asset.pk}/").content.decode()
    assert asset.processing_error in edit and "Thử xử lý lại" in edit
    # The reporter replaces the file with a good one outside the form (same name kept):
    with open(asset.file.path, "wb") as fh:
        fh.write(read(media_sources["tone"]))
    assert client.get(f"/admin/media-pipeline/{asset.pk}/retry/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/media-pipeline/{asset.pk}/retry/")
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    assert asset.renditions.count() == 2
    edit = client.get(f"/admin/media/edit/{asset.pk}/").content.decode()
    assert "Sẵn sàng" in edit and "Âm thanh MP3" in edit


def test_other_agency_cannot_retry(client, demo, make_asset):
    asset = make_asset("x.mp3", b"x", "audio")
    client.force_login(get_user_model().objects.get(username="phongvien.vannghe"))
    response = client.post(f"/admin/media-pipeline/{asset.pk}/retry/")
    assert response.status_code in (302, 403)
    assert MediaAsset.objects.get(pk=asset.pk).processing_status == ProcessingStatus.PENDING


def test_story_player_prefers_hls_and_loads_nothing_before_play(client, demo):
    from newsroom.models import StoryPage

    story = StoryPage.objects.live().filter(video__isnull=False).first()
    video = story.video
    html = client.get(story.url, HTTP_HOST=story.get_site().hostname).content.decode()
    assert f'data-hls="{video.hls.url}"' in html
    assert 'preload="none"' in html
    assert f'<source src="{video.rendition("video_360").url}" type="video/mp4"' in html
    assert html.index("video_360") < html.index("video_720")  # cheapest first
    assert f'poster="{video.poster.url}"' in html
    assert "0:03" in html  # duration shown
    assert '<script src="/static/newsroom/player.js" defer' in html


def test_retry_never_redirects_off_site(client, demo, make_asset):
    asset = make_asset("y.mp3", b"y", "audio")
    client.force_login(get_user_model().objects.get(username="quantri"))
    response = client.post(
        f"/admin/media-pipeline/{asset.pk}/retry/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == f"/admin/media/edit/{asset.pk}/"


def test_a_file_whose_job_keeps_killing_the_worker_is_failed_not_redelivered_for_ever(
    client, demo, django_capture_on_commit_callbacks, make_asset, media_sources
):
    """Each start of the job is counted and the count is cleared when the job ends in its
    process; starts that never ended are worker deaths (the broker hands the job back after
    each). Here the asset's count says its job already died HOITU_MEDIA_MAX_CRASHES times
    (as a process killed by the kernel leaves it): the next delivery fails the asset with
    the reason instead of running it again; "Thử xử lý lại" starts afresh."""
    from django.conf import settings
    from django.core.cache import cache

    from newsroom.media.services import media_job_start
    from newsroom.media_tasks import process_media_asset

    asset = make_asset("nang.mp3", read(media_sources["tone"]), "audio", "Bản tin nặng")
    for _ in range(settings.HOITU_MEDIA_MAX_CRASHES):
        assert media_job_start(asset_id=asset.pk)  # started; the process then "dies"
    assert cache.get(f"media:job-starts:{asset.pk}") == settings.HOITU_MEDIA_MAX_CRASHES
    process_media_asset.delay(asset.pk)  # the broker's next delivery
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.FAILED
    assert "dừng đột ngột 3 lần" in asset.processing_error
    assert asset.renditions.count() == 0
    client.force_login(get_user_model().objects.get(username="quantri"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/media-pipeline/{asset.pk}/retry/")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    # A job that ended normally leaves no count behind.
    assert cache.get(f"media:job-starts:{asset.pk}") is None
