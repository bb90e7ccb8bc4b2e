"""Transcoding speed of the media pipeline (run by hand, never in tests).

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/media_transcode.py

Generates a 60 s audio programme and a 60 s 720p video with ffmpeg, runs the pipeline's
rendition recipes on each (the same code a Celery worker runs), and prints the speed as a
multiple of real time and the peak memory (RSS) of the worker process and of its ffmpeg
children. Pass --seconds N to change the length, --preset to try another x264 preset."""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from newsroom.media.probe import probe_file  # noqa: E402
from newsroom.media.renditions import make_renditions  # noqa: E402


def generate(path: str, kind: str, seconds: int) -> None:
    if kind == "audio":
        args = [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"anoisesrc=d={seconds}:a=0.05",
            "-filter_complex",
            "amix=inputs=2",
            "-ac",
            "2",
            path,
        ]
    else:
        args = [
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1280x720:rate=25:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-b:v",
            "4M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            path,
        ]
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def _cpu() -> float:
    """CPU seconds used by ffmpeg children and this process: on a shared, loaded machine
    wall time overstates the cost."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--preset", default=settings.HOITU_MEDIA_X264_PRESET)
    args = parser.parse_args()
    settings.HOITU_MEDIA_X264_PRESET = args.preset
    print(f"x264 preset {args.preset}, {os.cpu_count()} CPUs, {args.seconds} s sources")
    for kind, name in (("audio", "src.wav"), ("video", "src.mp4")):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, name)
            generate(src, kind, args.seconds)
            out = os.path.join(tmp, "out")
            os.mkdir(out)
            start = time.perf_counter()
            cpu_start = _cpu()
            probe = probe_file(src, media_type=kind)
            outputs = make_renditions(src, out, probe, media_type=kind)
            elapsed = time.perf_counter() - start
            cpu = _cpu() - cpu_start
            print(
                f"{kind}: {elapsed:.1f} s wall for {probe.duration:.0f} s of media = "
                f"{probe.duration / elapsed:.1f}× real time (CPU {cpu:.1f} s: "
                f"{probe.duration / cpu * (os.cpu_count() or 1):.1f}× real time on idle cores); "
                "outputs: " + ", ".join(o.kind for o in outputs)
            )
    worker = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ffmpeg_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: worker (Python) {worker:.0f} MiB, largest ffmpeg child {ffmpeg_peak:.0f} MiB")


if __name__ == "__main__":
    main()
