import subprocess

import pytest
from django.core.files.base import ContentFile

from aiservices.models import ProviderAccount
from newsroom.models import Agency, MediaAsset
from newsroom.services import agency_collection

from .fakes import FPT_PATH, VIETTEL_PATH, FakeSTT


@pytest.fixture(autouse=True)
def _short_chunks(settings):
    settings.TRANSCRIPTS_CHUNK_SECONDS = {"fpt": 2, "viettel": 3}
    settings.HOITU_MEDIA_X264_PRESET = "ultrafast"


@pytest.fixture(scope="session")
def speech_file(tmp_path_factory):
    """A 7-second 44.1 kHz stereo recording made by ffmpeg: tones with pauses, as a
    broadcast cut would arrive (not the 16 kHz mono the providers want)."""
    path = tmp_path_factory.mktemp("speech") / "thoi-su.wav"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "sine=frequency=220:duration=7:sample_rate=44100",
            "-af", "volume=0.3,apulsator=hz=0.5",
            "-ac", "2", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def video_file(tmp_path_factory, speech_file):
    """A 7-second TV cut: a small test picture over the same recording."""
    path = tmp_path_factory.mktemp("video") / "phong-su.mp4"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=7",
            "-i", str(speech_file),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
        timeout=120,
    )  # fmt: skip
    return path


@pytest.fixture
def stt():
    fake = FakeSTT()
    yield fake
    fake.close()


@pytest.fixture
def bao(demo):
    return Agency.objects.get(slug="baothanhhoa")


@pytest.fixture
def ptth(demo):
    return Agency.objects.get(slug="ptth")


@pytest.fixture
def account(stt):
    """Adds an STT account of `agency` pointing at the imitation server."""

    def add(agency, provider="fpt", key=None, priority=10):
        account = ProviderAccount(
            agency=agency,
            provider=provider,
            capability="stt",
            priority=priority,
            endpoint=stt.url + (FPT_PATH if provider == "fpt" else VIETTEL_PATH),
        )
        account.set_credentials(
            {"api_key": key or (stt.fpt_key if provider == "fpt" else stt.viettel_token)}
        )
        account.save()
        return account

    return add


@pytest.fixture
def make_cut(django_capture_on_commit_callbacks, speech_file, video_file):
    """Uploads the recording into the agency's collection; the media pipeline (eager
    Celery, run at commit) processes it and, once ready, the transcript is made."""

    def make(agency, title="Thời sự 18h: Nga Sơn thu hoạch lúa chiêm xuân", media_type="audio"):
        with django_capture_on_commit_callbacks(execute=True):
            asset = MediaAsset(
                title=title, type=media_type, collection=agency_collection(agency=agency)
            )
            source = speech_file if media_type == "audio" else video_file
            asset.file.save(source.name, ContentFile(source.read_bytes()), save=False)
            asset.save()
        asset.refresh_from_db()
        assert asset.is_ready, asset.processing_error
        return asset

    return make
