"""Demo step: a corrected transcript on the station's demo radio and TV cuts, so `make run`
shows the transcript screen, "Xem lời thoại" on the stories and captions on the TV player.
The demo cuts are test tones (no speech) and the demo has no STT account: these words are
typed in as a desk editor would after correcting, never presented as a provider's."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from newsroom.demo.broadcast import AUDIO_TITLE, VIDEO_TITLE
from newsroom.models import MediaAsset

from .models import Segment, Transcript, TranscriptStatus
from .selectors import search_form

LINES = {
    AUDIO_TITLE: [
        "Đây là Đài Phát thanh và Truyền hình Thanh Hóa.",
        "Sáng nay, huyện Nga Sơn ra quân thu hoạch lúa chiêm xuân.",
    ],
    VIDEO_TITLE: [
        "Thưa quý vị, mời quý vị theo dõi chương trình Thời sự.",
        "Mùa gặt ở Nga Sơn năm nay năng suất ước đạt sáu mươi hai tạ một héc-ta.",
    ],
}


def load(stdout=None) -> None:
    editor = get_user_model().objects.filter(username="bientap.ptth").first()
    made = 0
    for title, lines in LINES.items():
        asset = MediaAsset.objects.filter(title=title).first()
        if asset is None or Transcript.objects.filter(asset=asset, corrected=True).exists():
            continue
        transcript, _ = Transcript.objects.get_or_create(asset=asset)
        transcript.segments.all().delete()
        length = (asset.duration or 4.0) / len(lines)
        Segment.objects.bulk_create(
            Segment(
                transcript=transcript,
                position=i,
                start=round(i * length, 3),
                end=round((i + 1) * length, 3),
                text=line,
                original_text="",
            )
            for i, line in enumerate(lines)
        )
        Transcript.objects.filter(pk=transcript.pk).update(
            status=TranscriptStatus.DONE,
            error="",
            corrected=True,
            corrected_by=editor,
            corrected_at=timezone.now(),
            search_text=search_form(" ".join(lines)),
        )
        made += 1
    if stdout:
        stdout.write(f"Transcripts: {made} demo transcripts.")
