"""Preparing a cut for speech-to-text (run by hand, never in tests).

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/transcript_chunks.py

Generates a stereo 44.1 kHz programme with ffmpeg (default 10 minutes), then times
`transcripts.audio.speech_chunks` (decode to 16 kHz mono WAV, cut into provider-sized
chunks, exact offsets) for FPT.AI's and Viettel AI's chunk lengths, and prints the speed as
a multiple of real time, the chunk count and the size sent per minute of audio."""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from transcripts.audio import speech_chunks  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "programme.mp3")
        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", f"sine=frequency=220:duration={args.seconds}:sample_rate=44100",
                "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", source,
            ],
            check=True,
        )  # fmt: skip
        for provider, seconds in settings.TRANSCRIPTS_CHUNK_SECONDS.items():
            started = time.perf_counter()
            with speech_chunks(source, seconds=seconds) as chunks:
                elapsed = time.perf_counter() - started
                size = sum(os.path.getsize(c.path) for c in chunks)
                drift = abs(chunks[-1].end - args.seconds)
            print(
                f"{provider}: {len(chunks)} chunks of ≤{seconds} s, {elapsed:.2f} s for "
                f"{args.seconds} s of audio ({args.seconds / elapsed:.0f}× real time), "
                f"{size / (args.seconds / 60) / 1e6:.2f} MB sent per minute, "
                f"end offset off by {drift * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
