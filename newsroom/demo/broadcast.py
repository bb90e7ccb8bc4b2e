"""Demo broadcasting of the radio-TV station (ptth): real generated media processed by the
pipeline, two channels, a week of schedule, a rundown and a podcast programme.
Idempotent; its ffmpeg work takes a few seconds."""

import datetime
import os
import subprocess
import tempfile

from django.conf import settings
from django.core.files import File
from django.test import override_settings
from django.utils import timezone
from wagtail.images import get_image_model

from ..broadcast_services import broadcast_setup_permissions
from ..models import (
    Agency,
    BroadcastSlot,
    Channel,
    ChannelKind,
    MediaAsset,
    Outlet,
    ProcessingStatus,
    Programme,
    Rundown,
    RundownItem,
    StoryPage,
)
from ..services import agency_collection

PODCAST_TAG = "thoi-su-phat-thanh"
AUDIO_TITLE = "Demo: bản tin phát thanh (âm thử 440 Hz)"
VIDEO_TITLE = "Demo: bản tin truyền hình (hình thử testsrc2)"
# Cuts of paid stories: only entitled readers get them (newsroom/media/access.py).
PREMIUM_VIDEO_TITLE = "Demo: ký sự truyền hình thu phí (hình thử smptebars)"
METERED_AUDIO_TITLE = "Demo: câu chuyện buổi tối, bài giới hạn (âm thử 523 Hz)"

# (start "HH:MM", end "HH:MM", programme slug) — a whole day, so "now" is always on air.
RADIO_DAY = [
    ("00:00", "05:30", "am-nhac"),
    ("05:30", "06:00", "thoi-su-phat-thanh"),
    ("06:00", "07:00", "ban-nha-nong"),
    ("07:00", "11:00", "am-nhac"),
    ("11:00", "11:30", "thoi-su-phat-thanh"),
    ("11:30", "17:00", "am-nhac"),
    ("17:00", "17:30", "thoi-su-phat-thanh"),
    ("17:30", "18:00", "ban-nha-nong"),
    ("18:00", "24:00", "am-nhac"),
]
TV_DAY = [
    ("00:00", "06:00", "phim-truyen"),
    ("06:00", "06:30", "thoi-su-truyen-hinh"),
    ("06:30", "11:30", "phim-truyen"),
    ("11:30", "12:00", "thoi-su-truyen-hinh"),
    ("12:00", "19:00", "phim-truyen"),
    ("19:00", "19:45", "thoi-su-truyen-hinh"),
    ("19:45", "21:00", "van-hoa-du-lich"),
    ("21:00", "24:00", "phim-truyen"),
]
PROGRAMMES = [
    # slug, channel slug, name, description, podcast
    (
        "thoi-su-phat-thanh",
        "ptth-radio",
        "Thời sự Phát thanh",
        "Bản tin thời sự phát thanh sáng, trưa, chiều của Đài Phát thanh và Truyền hình "
        "Thanh Hóa; nghe lại từng số dưới dạng podcast.",
        True,
    ),
    ("ban-nha-nong", "ptth-radio", "Bạn nhà nông", "Kiến thức sản xuất cho bà con.", False),
    ("am-nhac", "ptth-radio", "Âm nhạc theo yêu cầu", "Ca khúc về quê hương xứ Thanh.", False),
    ("thoi-su-truyen-hinh", "ttv", "Thời sự Truyền hình", "Bản tin thời sự TTV.", False),
    ("van-hoa-du-lich", "ttv", "Văn hóa - Du lịch", "Đất và người xứ Thanh.", False),
    ("phim-truyen", "ttv", "Phim truyện", "Phim truyện Việt Nam.", False),
]


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [settings.HOITU_MEDIA_FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
        + list(args),
        check=True,
        timeout=120,
    )


def _asset(title: str, media_type: str, collection, make) -> MediaAsset:
    asset = MediaAsset.objects.filter(title=title).first()
    if asset is not None:
        return asset
    with tempfile.TemporaryDirectory() as tmp:
        name = "demo-ban-tin." + ("wav" if media_type == "audio" else "mp4")
        path = os.path.join(tmp, name)
        make(path)
        asset = MediaAsset(title=title, type=media_type, collection=collection)
        with open(path, "rb") as fh:
            asset.file.save(name, File(fh), save=False)
        # Tiny demo clips: the fastest x264 preset keeps `make run` and test set-up quick.
        with override_settings(HOITU_MEDIA_X264_PRESET="ultrafast"):
            asset.save()  # processing is queued on commit (inline when Celery is eager)
    return asset


def _tone(frequency: int):
    """A maker of a 4 s sine tone (WAV)."""
    return lambda p: _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration=4", "-af", "volume=0.2", p
    )


def _clip(picture: str, frequency: int):
    """A maker of a 3 s H.264/AAC clip of an ffmpeg test picture with a tone."""
    return lambda p: _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"{picture}:rate=25:duration=3",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={frequency}:duration=3",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        p,
    )


def _media(collection) -> tuple[MediaAsset, MediaAsset]:
    audio = _asset(AUDIO_TITLE, "audio", collection, _tone(440))
    video = _asset(VIDEO_TITLE, "video", collection, _clip("testsrc2=size=1280x720", 660))
    return audio, video


def _paid_media(collection) -> tuple[MediaAsset, MediaAsset]:
    """A premium TV story's video and a metered radio story's audio: their own cuts, so
    the free stories' cuts (and the channels' live stand-ins) stay public."""
    video = _asset(PREMIUM_VIDEO_TITLE, "video", collection, _clip("smptebars=size=640x360", 880))
    audio = _asset(METERED_AUDIO_TITLE, "audio", collection, _tone(523))
    return video, audio


def _attach(story: StoryPage, field: str, asset: MediaAsset, tag: str | None) -> None:
    if getattr(story, f"{field}_id") == asset.pk:
        return
    published = (story.first_published_at, story.last_published_at)
    setattr(story, field, asset)
    if tag:
        story.tags.add(tag)
    revision = story.save_revision(user=story.owner)
    revision.publish(user=story.owner, skip_permission_checks=True)
    # Keep the demo's publication dates.
    StoryPage.objects.filter(pk=story.pk).update(
        first_published_at=published[0], last_published_at=published[1]
    )


def _channels(outlet, logo) -> dict[str, Channel]:
    specs = [
        ("ptth-radio", ChannelKind.RADIO, "Phát thanh Thanh Hóa", "Kênh phát thanh FM 102 MHz."),
        ("ttv", ChannelKind.TV, "Truyền hình Thanh Hóa (TTV)", "Kênh truyền hình của tỉnh."),
    ]
    channels = {}
    for order, (slug, kind, name, description) in enumerate(specs):
        channels[slug], _ = Channel.objects.get_or_create(
            slug=slug,
            defaults={
                "outlet": outlet,
                "kind": kind,
                "name": name,
                "description": description,
                "logo": logo,
                "sort_order": order,
            },
        )
    return channels


def _live_urls(channels, video: MediaAsset) -> None:
    """No encoder in the demo: the processed clip's HLS ladder stands in for the TV feed and
    its audio-only rung for the radio feed."""
    video.refresh_from_db()
    hls = video.hls
    if hls is None or not hls.url.startswith("/"):
        return
    base = hls.url.rsplit("/", 1)[0]
    for slug, url in (("ttv", hls.url), ("ptth-radio", f"{base}/audio/index.m3u8")):
        channel = channels[slug]
        if not channel.live_url:
            channel.live_url = url
            channel.save(update_fields=["live_url"])


def _programmes(channels, image) -> dict[str, Programme]:
    programmes = {}
    for slug, channel_slug, name, description, podcast in PROGRAMMES:
        programmes[slug], _ = Programme.objects.get_or_create(
            slug=slug,
            defaults={
                "channel": channels[channel_slug],
                "name": name,
                "description": description,
                "image": image,
                "is_podcast": podcast,
                "episode_tag": PODCAST_TAG if podcast else "",
                "podcast_category": "News",
            },
        )
    return programmes


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    if hhmm == "24:00":
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tz)


def _schedule(channels, programmes, audio, video) -> BroadcastSlot | None:
    today = timezone.localdate()
    now = timezone.now()
    tonight = None
    for offset in range(-1, 7):
        day = today + datetime.timedelta(days=offset)
        for channel_slug, grid in (("ptth-radio", RADIO_DAY), ("ttv", TV_DAY)):
            channel = channels[channel_slug]
            for start, end, prog_slug in grid:
                starts, ends = _at(day, start), _at(day, end)
                slot = BroadcastSlot.objects.filter(channel=channel, starts_at=starts).first()
                if slot is None:
                    if BroadcastSlot.objects.filter(
                        channel=channel, starts_at__lt=ends, ends_at__gt=starts
                    ).exists():
                        continue  # an editor changed the grid: leave their schedule alone
                    catch_up = None
                    if ends <= now and prog_slug == "thoi-su-phat-thanh":
                        catch_up = audio
                    elif ends <= now and prog_slug == "thoi-su-truyen-hinh":
                        catch_up = video
                    slot = BroadcastSlot.objects.create(
                        channel=channel,
                        programme=programmes[prog_slug],
                        starts_at=starts,
                        ends_at=ends,
                        catch_up=catch_up,
                    )
                if offset == 0 and channel_slug == "ttv" and start == "19:00":
                    tonight = slot
    return tonight


def _rundown(programme, slot, stories) -> None:
    if slot is None or Rundown.objects.filter(programme=programme, slot=slot).exists():
        return
    rundown = Rundown(
        programme=programme,
        slot=slot,
        title=f"Thời sự tối {timezone.localtime(slot.starts_at):%d/%m/%Y}",
        air_at=slot.starts_at,
        target_seconds=30 * 60,
        presenter="Nguyễn Thu Hà",
        notes="Bản tin chính; cập nhật tin thời tiết lúc 19:20.",
    )
    items = [("Hình hiệu, giới thiệu bản tin", None, "", 45, "Người dẫn")]
    for story in stories:
        cut = "video" if story.video_id else ("audio" if story.audio_id else "")
        items.append((story.title[:200], story, cut, 150, "Phóng viên"))
    items += [
        ("Điểm tin trong nước và quốc tế", None, "", 420, "Người dẫn"),
        ("Bản tin thời tiết", None, "", 180, "Trung tâm khí tượng"),
        ("Phóng sự chuyên đề", None, "", 600, "Ban Thời sự"),
        ("Chào kết", None, "", 30, "Người dẫn"),
    ]
    rundown.items = [
        RundownItem(title=t, story=s, cut=c, planned_seconds=d, source=src)
        for t, s, c, d, src in items
    ]
    rundown.save()


def load(stdout=None) -> None:
    agency = Agency.objects.filter(slug="ptth").first()
    if agency is None:
        return
    for each in Agency.objects.all():
        broadcast_setup_permissions(agency=each)
    outlet = Outlet.objects.filter(agency=agency, kind="broadcast").select_related("site").first()
    collection = agency_collection(agency=agency)
    audio, video = _media(collection)
    home = outlet.site.root_page
    stories = StoryPage.objects.live().descendant_of(home).filter(access_level="free")
    radio = list(stories.filter(primary_format="radio").order_by("path")[:3])
    tv = list(stories.filter(primary_format="tv").order_by("path")[:3])
    for story in radio:
        _attach(story, "audio", audio, PODCAST_TAG)
    for story in tv:
        _attach(story, "video", video, None)
    paid = StoryPage.objects.live().descendant_of(home)
    premium_tv = paid.filter(access_level="premium", primary_format="tv").order_by("path").first()
    metered_radio = (
        paid.filter(access_level="metered", primary_format="radio").order_by("path").first()
    )
    if premium_tv or metered_radio:
        premium_video, metered_audio = _paid_media(collection)
        if premium_tv:
            _attach(premium_tv, "video", premium_video, None)
        if metered_radio:
            _attach(metered_radio, "audio", metered_audio, None)
    image = get_image_model().objects.filter(collection=collection).order_by("pk").first()
    channels = _channels(outlet, image)
    _live_urls(channels, video)
    programmes = _programmes(channels, image)
    tonight = _schedule(channels, programmes, audio, video)
    _rundown(programmes["thoi-su-truyen-hinh"], tonight, [s.specific for s in tv[:2]])
    if stdout:
        audio.refresh_from_db()
        video.refresh_from_db()
        states = {ProcessingStatus(a.processing_status).label for a in (audio, video)}
        stdout.write(
            f"Broadcasting: {Channel.objects.count()} channels, "
            f"{BroadcastSlot.objects.count()} slots, demo media: {', '.join(states)}."
        )
