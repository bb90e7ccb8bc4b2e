"""Each bad upload ends `failed` with a clear reason; the next asset still processes."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from newsroom.models import MediaAsset, ProcessingStatus

from .conftest import read

pytestmark = pytest.mark.django_db


def _unknown_codec_wav(tone: bytes) -> bytes:
    data = bytearray(tone)
    at = data.find(b"fmt ") + 8
    data[at : at + 2] = (0x7777).to_bytes(2, "little")  # a format tag no decoder knows
    return bytes(data)


@pytest.fixture
def bad_files(media_sources):
    clip = read(media_sources["clip"])
    return {
        "text-renamed.mp3": (
            b"Day la mot van ban, khong phai am thanh.\n" * 20,
            "audio",
            "không phải âm thanh/video",
        ),
        "truncated.mp4": (clip[: len(clip) // 3], "video", "hỏng"),
        "empty.mp3": (b"", "audio", "0 byte"),
        "unknown-codec.wav": (_unknown_codec_wav(read(media_sources["tone"])), "audio", "codec"),
    }


@pytest.mark.parametrize(
    "name", ["text-renamed.mp3", "truncated.mp4", "empty.mp3", "unknown-codec.wav"]
)
def test_bad_upload_fails_with_reason_and_next_asset_processes(
    name, bad_files, django_capture_on_commit_callbacks, make_asset, media_sources
):
    data, media_type, expected = bad_files[name]
    with django_capture_on_commit_callbacks(execute=True):
        bad = make_asset(name, data, media_type)
        good = make_asset("tone.wav", read(media_sources["tone"]), "audio")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.processing_status == ProcessingStatus.FAILED
    assert expected in bad.processing_error
    assert bad.renditions.count() == 0
    assert bad.file.name  # the original stays for staff to inspect or replace
    assert good.processing_status == ProcessingStatus.READY, good.processing_error


def test_video_over_the_size_limit(
    settings, django_capture_on_commit_callbacks, make_asset, media_sources
):
    clip = read(media_sources["clip"])
    settings.HOITU_MEDIA_MAX_UPLOAD_SIZE = len(clip) - 1
    # The admin form refuses it ...
    asset = MediaAsset(title="Quá cỡ", type="video")
    asset.file = SimpleUploadedFile("big.mp4", clip, content_type="video/mp4")
    with pytest.raises(ValidationError) as exc:
        asset.full_clean()
    assert "quá lớn" in str(exc.value)
    # ... and one that arrives another way fails in the pipeline.
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset("big.mp4", clip, "video")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.FAILED
    assert "quá lớn" in asset.processing_error


def test_audio_file_uploaded_as_video_is_refused(
    django_capture_on_commit_callbacks, make_asset, media_sources
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset("tone.mp4", read(media_sources["tone"]), "video")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.FAILED
    assert "không có luồng hình" in asset.processing_error


def test_missing_ffmpeg_is_reported_not_crashed(
    settings, django_capture_on_commit_callbacks, make_asset, media_sources
):
    settings.HOITU_MEDIA_FFPROBE = "/nonexistent/ffprobe"
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset("tone.wav", read(media_sources["tone"]), "audio")
    asset.refresh_from_db()
    assert asset.processing_status == ProcessingStatus.FAILED
    assert "chưa cài ffmpeg" in asset.processing_error
