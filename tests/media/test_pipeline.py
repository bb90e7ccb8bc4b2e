import os
import sys

import pytest
from django.core.files.storage import FileSystemStorage

from newsroom.media import services
from newsroom.models import MediaAsset, MediaRendition, ProcessingStatus

from .conftest import ffprobe, integrated_loudness, media_path, read

pytestmark = pytest.mark.django_db


def _process(django_capture_on_commit_callbacks, make_asset, *args):
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(*args)
    asset.refresh_from_db()
    return asset


def test_audio_becomes_loudness_normalised_aac_and_mp3(
    django_capture_on_commit_callbacks, make_asset, media_sources
):
    original = read(media_sources["tone"])
    asset = _process(django_capture_on_commit_callbacks, make_asset, "tone.wav", original, "audio")
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    assert asset.duration == pytest.approx(3.0, abs=0.1)
    assert asset.probe["audio"]["codec_name"] == "pcm_s16le"
    kinds = {r.kind: r for r in asset.renditions.all()}
    assert set(kinds) == {"audio_aac", "audio_mp3"}
    for kind, codec in (("audio_aac", "aac"), ("audio_mp3", "mp3")):
        path = media_path(kinds[kind].file.name)
        info = ffprobe(path)
        assert [s["codec_name"] for s in info["streams"]] == [codec]
        assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.15)
        assert integrated_loudness(path) == pytest.approx(-16.0, abs=1.5)
        assert kinds[kind].size == os.path.getsize(path)
    # The original is untouched.
    assert read(media_path(asset.file.name)) == original


def test_video_renditions_hls_ladder_and_poster(
    django_capture_on_commit_callbacks, make_asset, media_sources
):
    asset = _process(
        django_capture_on_commit_callbacks,
        make_asset,
        "clip.mp4",
        read(media_sources["clip"]),
        "video",
    )
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    assert (asset.width, asset.height) == (640, 360)
    assert asset.duration == pytest.approx(2.0, abs=0.1)
    assert asset.thumbnail.name.startswith("media_thumbnails/auto-")
    kinds = {r.kind: r for r in asset.renditions.all()}
    assert set(kinds) == {"video_720", "video_360", "hls", "poster"}
    for kind in ("video_720", "video_360"):
        info = ffprobe(media_path(kinds[kind].file.name))
        codecs = sorted(s["codec_name"] for s in info["streams"])
        assert codecs == ["aac", "h264"]
        assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.2)
    # Never upscaled: the 640×360 source stays 360 high in the "720p" rendition.
    assert kinds["video_360"].height == 360
    # HLS: the master lists 360p, 720p and audio-only; every segment exists.
    master_path = media_path(kinds["hls"].file.name)
    master = open(master_path).read().splitlines()
    assert master[0] == "#EXTM3U"
    variants = [line for line in master if line and not line.startswith("#")]
    assert variants == ["360p/index.m3u8", "720p/index.m3u8", "audio/index.m3u8"]
    infos = [line for line in master if line.startswith("#EXT-X-STREAM-INF:")]
    assert "RESOLUTION=640x360" in infos[0] and "avc1." in infos[0]
    assert 'CODECS="mp4a.40.2"' in infos[2]
    for variant in variants:
        playlist = os.path.join(os.path.dirname(master_path), variant)
        lines = open(playlist).read().splitlines()
        assert "#EXT-X-ENDLIST" in lines
        segments = [line for line in lines if line and not line.startswith("#")]
        assert segments
        total = sum(float(x[8:].split(",")[0]) for x in lines if x.startswith("#EXTINF:"))
        assert total == pytest.approx(2.0, abs=0.3)
        for seg in segments:
            seg_path = os.path.join(os.path.dirname(playlist), seg)
            assert os.path.getsize(seg_path) > 0
        if variant.startswith("audio"):
            info = ffprobe(os.path.join(os.path.dirname(playlist), segments[0]))
            assert [s["codec_type"] for s in info["streams"]] == ["audio"]
    poster = ffprobe(media_path(kinds["poster"].file.name))
    assert poster["streams"][0]["codec_name"] == "mjpeg"


def test_reprocess_replaces_renditions_atomically_without_duplicates(
    django_capture_on_commit_callbacks, make_asset, media_sources
):
    asset = _process(
        django_capture_on_commit_callbacks,
        make_asset,
        "tone.wav",
        read(media_sources["tone"]),
        "audio",
    )
    before = {r.kind: r.file.name for r in asset.renditions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        services.media_asset_retry(asset=asset)
    asset.refresh_from_db()
    after = {r.kind: r.file.name for r in asset.renditions.all()}
    assert asset.processing_status == ProcessingStatus.READY
    assert set(after) == set(before)
    assert MediaRendition.objects.filter(asset=asset).count() == 2
    for name in before.values():
        assert not os.path.exists(media_path(name)), "old rendition left behind"
    for name in after.values():
        assert os.path.exists(media_path(name))
    assert os.path.exists(media_path(asset.file.name))


def test_saving_title_only_does_not_requeue(
    django_capture_on_commit_callbacks, make_asset, media_sources
):
    asset = _process(
        django_capture_on_commit_callbacks,
        make_asset,
        "tone.wav",
        read(media_sources["tone"]),
        "audio",
    )
    processed = asset.processed_at
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        asset.title = "Tên mới"
        asset.save()
    assert callbacks == []
    asset.refresh_from_db()
    assert asset.processed_at == processed
    assert MediaAsset.objects.get(pk=asset.pk).processing_status == ProcessingStatus.READY


def test_poster_of_a_720p_source_is_a_light_360p_frame(tmp_path):
    from newsroom.media.probe import probe_file
    from newsroom.media.renditions import make_poster

    from .conftest import ffmpeg

    source = tmp_path / "hd.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=1", str(source))
    output = make_poster(str(source), str(tmp_path), probe_file(str(source), media_type="video"))
    path = tmp_path / output.files[0]
    (stream,) = ffprobe(str(path))["streams"]
    assert (stream["width"], stream["height"]) == (640, 360)
    assert path.stat().st_size < 30_000  # what a phone fetches before anything plays


class PathlessStorage(FileSystemStorage):
    """A storage that, as S3, gives its callers no local path (Django's own file-system
    methods still use one underneath): the pipeline must work on a copy."""

    def path(self, name):
        if sys._getframe(1).f_globals["__name__"].startswith("django.core.files.storage"):
            return super().path(name)
        raise NotImplementedError("This backend doesn't support absolute paths.")


def test_original_on_a_storage_without_local_paths_is_processed_from_a_copy(
    django_capture_on_commit_callbacks, make_asset, media_sources, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.PathlessStorage"},
    }
    original = read(media_sources["tone"])
    asset = _process(django_capture_on_commit_callbacks, make_asset, "tone.wav", original, "audio")
    assert asset.processing_status == ProcessingStatus.READY, asset.processing_error
    assert {r.kind for r in asset.renditions.all()} == {"audio_aac", "audio_mp3"}
    assert read(media_path(asset.file.name)) == original


def test_an_error_inside_the_pipeline_is_reported_as_itself(media_sources, make_asset):
    """A NotImplementedError raised while working on the original is the pipeline's error,
    not a sign that the storage has no local paths."""
    asset = make_asset("tone.wav", read(media_sources["tone"]), "audio")
    with pytest.raises(NotImplementedError, match="inside"):
        with services._local_original(asset):
            raise NotImplementedError("inside")
