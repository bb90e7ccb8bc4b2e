"""ffmpeg recipes: loudness-normalised audio, H.264/AAC MP4s, an HLS ladder, a poster.

Every function writes only inside `out_dir`; the original is opened read-only."""

import json
import logging
import os
import re
from dataclasses import dataclass, field

import ffmpeg
from django.conf import settings

from .probe import ProbeResult

logger = logging.getLogger(__name__)

# Bitrates for a cheap phone on a slow rural link: 360p at ~600 kbit/s plays on 3G;
# 720p for Wi-Fi and 4G.
VIDEO_LADDER = {
    "video_720": {"height": 720, "crf": 23, "maxrate": "2500k", "audio": "96k", "level": "3.1"},
    "video_360": {"height": 360, "crf": 28, "maxrate": "700k", "audio": "64k", "level": "3.0"},
}
HLS_DIRS = {"video_360": "360p", "video_720": "720p"}
AUDIO_AAC_BITRATE = "96k"
AUDIO_MP3_BITRATE = "128k"
AUDIO_RATE = 44100
# Keyframes every 2 s, so 4 s HLS segments cut cleanly on a keyframe.
KEYFRAME_EXPR = "expr:gte(t,n_forced*2)"


@dataclass
class Output:
    kind: str
    path: str  # main file, relative to out_dir
    mime_type: str
    files: list[str] = field(default_factory=list)  # every file, relative to out_dir
    duration: float = 0.0
    width: int | None = None
    height: int | None = None
    bitrate: int = 0
    codecs: str = ""


def _run(stream, *, capture=True):
    return stream.global_args("-nostdin", "-hide_banner", "-nostats").run(
        cmd=settings.HOITU_MEDIA_FFMPEG, capture_stdout=capture, capture_stderr=capture
    )


def _even_height(target: int) -> str:
    # Never upscale; keep both sides even for yuv420p.
    return f"trunc(min({target},ih)/2)*2"


def loudness_measure(path: str) -> dict | None:
    """First pass of EBU R128 loudnorm: the measured values, or None for silence."""
    target = settings.HOITU_MEDIA_LOUDNESS_TARGET
    peak = settings.HOITU_MEDIA_TRUE_PEAK
    _, err = _run(
        ffmpeg.input(path)
        .audio.filter("loudnorm", I=target, TP=peak, LRA=11, print_format="json")
        .output("-", format="null")
    )
    text = err.decode("utf-8", "replace")
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", text, re.S)
    if not match:
        return None
    measured = json.loads(match.group(0))
    try:
        if float(measured["input_i"]) < -70:  # silence: nothing to normalise
            return None
    except ValueError:  # "-inf"
        return None
    return measured


def _loudnorm(audio_stream, measured: dict | None):
    if measured is None:
        return audio_stream.filter("aresample", AUDIO_RATE)
    return audio_stream.filter(
        "loudnorm",
        I=settings.HOITU_MEDIA_LOUDNESS_TARGET,
        TP=settings.HOITU_MEDIA_TRUE_PEAK,
        LRA=11,
        measured_I=measured["input_i"],
        measured_TP=measured["input_tp"],
        measured_LRA=measured["input_lra"],
        measured_thresh=measured["input_thresh"],
        offset=measured["target_offset"],
        linear="true",
    ).filter("aresample", AUDIO_RATE)  # loudnorm works at 192 kHz


def make_audio(path: str, out_dir: str, probe: ProbeResult) -> list[Output]:
    measured = loudness_measure(path)
    channels = min(int(probe.audio.get("channels") or 2), 2)
    split = _loudnorm(ffmpeg.input(path).audio, measured).filter_multi_output("asplit", 2)
    aac = ffmpeg.output(
        split[0],
        os.path.join(out_dir, "audio.m4a"),
        acodec="aac",
        audio_bitrate=AUDIO_AAC_BITRATE,
        ac=channels,
        movflags="+faststart",
    )
    mp3 = ffmpeg.output(
        split[1],
        os.path.join(out_dir, "audio.mp3"),
        acodec="libmp3lame",
        audio_bitrate=AUDIO_MP3_BITRATE,
        ac=channels,
        id3v2_version=3,
    )
    _run(ffmpeg.merge_outputs(aac, mp3).overwrite_output())
    return [
        Output("audio_aac", "audio.m4a", "audio/mp4", ["audio.m4a"], codecs="mp4a.40.2"),
        Output("audio_mp3", "audio.mp3", "audio/mpeg", ["audio.mp3"], codecs="mp3"),
    ]


def make_video(path: str, out_dir: str, probe: ProbeResult) -> list[Output]:
    source = ffmpeg.input(path)
    outputs, results = [], []
    audio_split = None
    if probe.audio is not None:
        audio_split = _loudnorm(source.audio, loudness_measure(path)).filter_multi_output(
            "asplit", len(VIDEO_LADDER)
        )
    video_split = source.video.filter_multi_output("split", len(VIDEO_LADDER))
    for i, (kind, spec) in enumerate(VIDEO_LADDER.items()):
        name = f"{kind}.mp4"
        video = video_split[i].filter("scale", w=-2, h=_even_height(spec["height"]))
        streams = [video] + ([audio_split[i]] if audio_split is not None else [])
        kwargs = {
            "vcodec": "libx264",
            "preset": settings.HOITU_MEDIA_X264_PRESET,
            "crf": spec["crf"],
            "maxrate": spec["maxrate"],
            "bufsize": spec["maxrate"].replace("k", "") + "0k",  # ten times: smooth VBV
            "profile:v": "main",
            "level": spec["level"],
            "pix_fmt": "yuv420p",
            "force_key_frames": KEYFRAME_EXPR,
            "movflags": "+faststart",
        }
        if audio_split is not None:
            kwargs.update(acodec="aac", audio_bitrate=spec["audio"], ac=2)
        outputs.append(ffmpeg.output(*streams, os.path.join(out_dir, name), **kwargs))
        results.append(Output(kind, name, "video/mp4", [name]))
    _run(ffmpeg.merge_outputs(*outputs).overwrite_output())
    results.append(make_poster(path, out_dir, probe))
    results.append(make_hls(out_dir, has_audio=probe.audio is not None))
    return results


POSTER_HEIGHT = 360


def make_poster(path: str, out_dir: str, probe: ProbeResult) -> Output:
    at = min(1.0, probe.duration / 2)
    _run(
        ffmpeg.input(path, ss=at)
        # The player's first picture, fetched on a phone before anything plays: 360 lines
        # are enough there and cost about a quarter of the 720p frame (56 → 14 KiB).
        .video.filter("scale", w=-2, h=_even_height(POSTER_HEIGHT))
        .output(os.path.join(out_dir, "poster.jpg"), vframes=1, **{"q:v": 4})
        .overwrite_output()
    )
    return Output("poster", "poster.jpg", "image/jpeg", ["poster.jpg"])


def _avc_codec(stream: dict) -> str:
    profiles = {"Baseline": "42e0", "Constrained Baseline": "42e0", "Main": "4d40", "High": "6400"}
    prefix = profiles.get(stream.get("profile", ""), "4d40")
    return f"avc1.{prefix}{int(stream.get('level') or 31):02x}"


def _peak_bitrate(playlist: str) -> tuple[int, int]:
    """Peak and average segment bitrate of a media playlist, from the files themselves."""
    base = os.path.dirname(playlist)
    peak, total_bits, total_time, duration = 0, 0, 0.0, None
    with open(playlist) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("#EXTINF:"):
                duration = float(line[8:].split(",")[0])
            elif line and not line.startswith("#") and duration:
                bits = os.path.getsize(os.path.join(base, line)) * 8
                peak = max(peak, int(bits / duration))
                total_bits += bits
                total_time += duration
    return peak, int(total_bits / total_time) if total_time else 0


def make_hls(out_dir: str, *, has_audio: bool) -> Output:
    """An HLS ladder cut from the MP4 renditions without re-encoding: 360p first (players
    start on the first variant: the cheap one), then 720p, then audio only."""
    hls_dir = os.path.join(out_dir, "hls")
    seconds = settings.HOITU_MEDIA_HLS_SEGMENT_SECONDS
    variants = [(kind, HLS_DIRS[kind], False) for kind in ("video_360", "video_720")]
    if has_audio:
        variants.append(("video_360", "audio", True))
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    files = []
    for kind, sub, audio_only in variants:
        os.makedirs(os.path.join(hls_dir, sub))
        src = os.path.join(out_dir, f"{kind}.mp4")
        playlist = os.path.join(hls_dir, sub, "index.m3u8")
        stream = ffmpeg.input(src)
        kwargs = {
            "format": "hls",
            "hls_time": seconds,
            "hls_playlist_type": "vod",
            "hls_segment_filename": os.path.join(hls_dir, sub, "seg_%04d.ts"),
        }
        if audio_only:
            out = ffmpeg.output(stream.audio, playlist, acodec="copy", **kwargs)
        else:
            out = ffmpeg.output(stream, playlist, codec="copy", **kwargs)
        _run(out.overwrite_output())
        peak, average = _peak_bitrate(playlist)
        info = ffmpeg.probe(src, cmd=settings.HOITU_MEDIA_FFPROBE)
        vstream = next((s for s in info["streams"] if s["codec_type"] == "video"), None)
        if audio_only:
            attrs = f'BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},CODECS="mp4a.40.2"'
        else:
            codecs = _avc_codec(vstream) + (",mp4a.40.2" if has_audio else "")
            attrs = (
                f"BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},"
                f'RESOLUTION={vstream["width"]}x{vstream["height"]},CODECS="{codecs}"'
            )
        lines += [f"#EXT-X-STREAM-INF:{attrs}", f"{sub}/index.m3u8"]
        files += [
            os.path.join("hls", sub, name)
            for name in sorted(os.listdir(os.path.join(hls_dir, sub)))
        ]
    with open(os.path.join(hls_dir, "master.m3u8"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    files.insert(0, os.path.join("hls", "master.m3u8"))
    return Output("hls", os.path.join("hls", "master.m3u8"), "application/vnd.apple.mpegurl", files)


def describe(out_dir: str, output: Output) -> Output:
    """Fills duration, size, bitrate and codecs of a finished output from ffprobe."""
    if output.kind in ("hls", "poster"):
        if output.kind == "poster":
            info = ffmpeg.probe(
                os.path.join(out_dir, output.path), cmd=settings.HOITU_MEDIA_FFPROBE
            )
            output.width = info["streams"][0]["width"]
            output.height = info["streams"][0]["height"]
        return output
    info = ffmpeg.probe(os.path.join(out_dir, output.path), cmd=settings.HOITU_MEDIA_FFPROBE)
    output.duration = float(info["format"].get("duration") or 0)
    output.bitrate = int(info["format"].get("bit_rate") or 0)
    video = next((s for s in info["streams"] if s["codec_type"] == "video"), None)
    if video:
        output.width, output.height = video["width"], video["height"]
        has_audio = any(s["codec_type"] == "audio" for s in info["streams"])
        output.codecs = _avc_codec(video) + (",mp4a.40.2" if has_audio else "")
    return output


def make_renditions(path: str, out_dir: str, probe: ProbeResult, *, media_type: str):
    if media_type == "video":
        outputs = make_video(path, out_dir, probe)
    else:
        outputs = make_audio(path, out_dir, probe)
    return [describe(out_dir, o) for o in outputs]
