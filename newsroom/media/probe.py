"""Reads an original with ffprobe and refuses what cannot become a rendition."""

import logging
import os
from dataclasses import dataclass, field

import ffmpeg
from django.conf import settings

from .errors import MediaRejected

logger = logging.getLogger(__name__)


@dataclass
class ProbeResult:
    duration: float
    size: int
    format_name: str
    audio: dict | None = None
    video: dict | None = None
    streams: list = field(default_factory=list)

    @property
    def width(self) -> int | None:
        return int(self.video["width"]) if self.video else None

    @property
    def height(self) -> int | None:
        return int(self.video["height"]) if self.video else None

    def as_json(self) -> dict:
        def stream(s):
            if not s:
                return None
            keys = ("codec_name", "codec_long_name", "profile", "width", "height")
            keys += ("sample_rate", "channels", "bit_rate", "avg_frame_rate")
            return {k: s[k] for k in keys if k in s}

        return {
            "duration": self.duration,
            "size": self.size,
            "format": self.format_name,
            "audio": stream(self.audio),
            "video": stream(self.video),
            "streams": [
                {"type": s.get("codec_type"), "codec": s.get("codec_name", "")}
                for s in self.streams
            ],
        }


def _stderr_tail(exc: ffmpeg.Error, lines: int = 3) -> str:
    text = (exc.stderr or b"").decode("utf-8", "replace").strip()
    return " | ".join(text.splitlines()[-lines:])


def probe_file(path: str, *, media_type: str) -> ProbeResult:
    """Probes `path` and checks it holds a decodable stream of `media_type`
    ("audio" or "video"). Raises MediaRejected with the reason otherwise."""
    size = os.path.getsize(path)
    if size == 0:
        raise MediaRejected("Tệp rỗng (0 byte): không có dữ liệu âm thanh/video.", "empty file")
    limit = settings.HOITU_MEDIA_MAX_UPLOAD_SIZE
    if size > limit:
        raise MediaRejected(
            f"Tệp quá lớn ({size:,} byte); giới hạn là {limit:,} byte.".replace(",", "."),
            f"file of {size} bytes over limit {limit}",
        )
    try:
        info = ffmpeg.probe(path, cmd=settings.HOITU_MEDIA_FFPROBE)
    except ffmpeg.Error as exc:
        detail = _stderr_tail(exc)
        if "moov atom not found" in detail or "Invalid data" in detail:
            reason = "Tệp không phải âm thanh/video hoặc đã hỏng (không đọc được cấu trúc tệp)."
        else:
            reason = "Không đọc được tệp: tệp hỏng hoặc không phải âm thanh/video."
        raise MediaRejected(reason, f"ffprobe failed: {detail}") from exc
    streams = info.get("streams", [])
    fmt = info.get("format", {})
    unknown = [s for s in streams if s.get("codec_type") in ("audio", "video")]
    unknown = [s for s in unknown if not s.get("codec_name") or s.get("codec_name") == "none"]
    audio = next(
        (s for s in streams if s.get("codec_type") == "audio" and s.get("codec_name")), None
    )
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and s.get("codec_name")
            # Cover art in an MP3 is a one-frame "video" stream, not a picture track.
            and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    if unknown and not (audio or video):
        tags = ", ".join(s.get("codec_tag_string", "?") for s in unknown)
        raise MediaRejected(
            f"Định dạng mã hóa (codec) không được hỗ trợ ({tags}).", f"unknown codec: {tags}"
        )
    if media_type == "video" and video is None:
        raise MediaRejected(
            "Tệp không có luồng hình (video) đọc được.", "no decodable video stream"
        )
    if media_type == "audio" and audio is None:
        raise MediaRejected("Tệp không có luồng âm thanh đọc được.", "no decodable audio stream")
    try:
        duration = float(fmt.get("duration") or (video or audio).get("duration") or 0)
    except (TypeError, ValueError):
        duration = 0.0
    if duration <= 0:
        raise MediaRejected(
            "Không xác định được thời lượng: tệp hỏng hoặc không phải âm thanh/video.",
            "no duration",
        )
    return ProbeResult(
        duration=duration,
        size=size,
        format_name=fmt.get("format_name", ""),
        audio=audio,
        video=video,
        streams=streams,
    )
