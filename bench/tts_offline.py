"""Offline "Nghe bài viết" of a 1,000-word Vietnamese story (run by hand, never in tests).

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/tts_offline.py

Builds a 1,000-word story text from Vietnamese news sentences (dates, abbreviations and
numbers included), runs the same code the Celery job runs — normalisation, chunking,
espeak-ng per chunk, the join and the two-pass EBU R128 loudnorm to MP3 + AAC — and prints
the wall time of each step, the audio's duration, the speed as a multiple of real time,
and the peak memory (RSS) of this process and of its espeak-ng/ffmpeg children.
--words N changes the length, --runs N repeats it (best and worst printed)."""

import argparse
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from speech.adapters import EspeakTTS  # noqa: E402
from speech.services import render  # noqa: E402
from speech.text import chunks, normalise  # noqa: E402

SENTENCES = [
    "Sáng 28/11/2026, UBND TP. Thanh Hóa tổ chức lễ khánh thành cầu Nguyệt Viên mới bắc qua sông Mã.",
    "Công trình có tổng mức đầu tư 1.250.000 triệu đồng, dài 1,2 km, rút ngắn thời gian đi lại.",
    "PGS.TS Lê Văn An cho biết tỷ lệ người dân hài lòng với dịch vụ công đạt 95%.",
    "Các xã miền núi Mường Lát, Quan Sơn và Bá Thước đang đẩy mạnh trồng rừng gỗ lớn.",
    "HĐND tỉnh thông qua nghị quyết hỗ trợ học sinh THPT vùng khó khăn từ ngày 1/1/2027.",
    "Khu kinh tế Nghi Sơn thu hút thêm ba dự án sản xuất với vốn đăng ký hơn 300 triệu USD.",
    "Người dân ven biển Sầm Sơn chủ động gia cố nhà cửa, neo đậu tàu thuyền trước mùa mưa bão.",
    "Ngành giáo dục tỉnh Thanh Hóa đặt mục tiêu 100% trường học có kết nối internet tốc độ cao.",
]


def story(words: int) -> str:
    out, count, i = [], 0, 0
    while count < words:
        sentence = SENTENCES[i % len(SENTENCES)]
        out.append(sentence)
        count += len(sentence.split())
        i += 1
    paragraphs = [" ".join(out[j : j + 4]) for j in range(0, len(out), 4)]
    return "\n".join(paragraphs)


def children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(words: int) -> dict:
    raw = story(words)
    started = time.perf_counter()
    text = normalise(raw)
    engine = EspeakTTS()
    pieces = chunks(text, engine.limit)
    with tempfile.TemporaryDirectory(prefix="bench-tts-") as tmp:
        t0 = time.perf_counter()
        paths = [
            engine.synthesise(p, os.path.join(tmp, f"{i:03d}.wav")) for i, p in enumerate(pieces)
        ]
        t1 = time.perf_counter()
        out = render(paths, tmp)
        t2 = time.perf_counter()
        sizes = (os.path.getsize(out["mp3"]), os.path.getsize(out["aac"]))
    return {
        "words": len(raw.split()),
        "characters": len(text),
        "chunks": len(pieces),
        "espeak_s": t1 - t0,
        "render_s": t2 - t1,
        "total_s": t2 - started,
        "duration_s": out["duration"],
        "mp3_kib": sizes[0] / 1024,
        "aac_kib": sizes[1] / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [run(args.words) for _ in range(args.runs)]
    first = results[0]
    print(
        f"story: {first['words']} words, {first['characters']} characters after "
        f"normalisation, {first['chunks']} chunk(s); audio {first['duration_s']:.1f} s "
        f"(MP3 {first['mp3_kib']:.0f} KiB, AAC {first['aac_kib']:.0f} KiB)"
    )
    for key, label in (
        ("espeak_s", "espeak-ng"),
        ("render_s", "join + loudnorm + encode"),
        ("total_s", "total"),
    ):
        values = sorted(r[key] for r in results)
        print(f"{label:>26}: best {values[0]:.1f} s, worst {values[-1]:.1f} s")
    best = min(r["total_s"] for r in results)
    print(f"{'speed':>26}: {first['duration_s'] / best:.1f}× real time (best run)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime + children.ru_stime) / len(results)
    print(f"{'CPU (espeak + ffmpeg)':>26}: {cpu:.1f} s per story")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'peak RSS':>26}: this process {own:.0f} MiB, largest child {children_peak_mib():.0f} MiB"
    )
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
