"""The cut's sound as speech-to-text providers take it: 16 kHz mono 16-bit WAV, cut into
chunks no longer than the provider accepts, each with its start time in the cut."""

import contextlib
import os
import subprocess
import tempfile
import wave
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Chunk:
    path: str
    start: float  # seconds from the start of the cut
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration

    def read(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()


def _wav_duration(path: str) -> float:
    with contextlib.closing(wave.open(path, "rb")) as wav:
        return wav.getnframes() / float(wav.getframerate())


@contextlib.contextmanager
def speech_chunks(source: str, *, seconds: float):
    """Yields the chunks of `source` (a local audio or video file) in order. The offsets
    are the summed exact lengths (frames / rate) of the chunks before, not chunk × n, so
    timings stay right whatever length the segmenter picked."""
    with tempfile.TemporaryDirectory(prefix="hoitu-stt-") as folder:
        pattern = os.path.join(folder, "chunk-%05d.wav")
        subprocess.run(
            [
                settings.HOITU_MEDIA_FFMPEG,
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-i",
                source,
                "-vn",
                "-ac",
                "1",
                "-ar",
                str(settings.TRANSCRIPTS_SAMPLE_RATE),
                "-c:a",
                "pcm_s16le",
                "-f",
                "segment",
                "-segment_time",
                str(seconds),
                "-reset_timestamps",
                "1",
                pattern,
            ],
            check=True,
            capture_output=True,
            timeout=settings.HOITU_MEDIA_TASK_TIME_LIMIT,
        )
        chunks, offset = [], 0.0
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            duration = _wav_duration(path)
            if duration <= 0:
                continue
            chunks.append(Chunk(path=path, start=round(offset, 3), duration=round(duration, 3)))
            offset += duration
        yield chunks
