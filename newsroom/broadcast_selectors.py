"""Reads of broadcasting: channels of a site, what is on now and next, the schedule of a
day, a programme's podcast episodes, a rundown's running times."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from paywall.access import AccessLevel

from .models import (
    BroadcastSlot,
    Channel,
    ProcessingStatus,
    Programme,
    Rundown,
    RundownItem,
    StoryPage,
)
from .selectors import user_agencies

SCHEDULE_DAYS = 7  # today and the coming six days


def channels_for_site(site) -> QuerySet[Channel]:
    return Channel.objects.filter(outlet__site=site, is_active=True).select_related("logo")


def programmes_for_site(site) -> QuerySet[Programme]:
    return Programme.objects.filter(channel__outlet__site=site).select_related("channel")


def channel_now_next(
    channel: Channel, *, at: datetime.datetime | None = None
) -> tuple[BroadcastSlot | None, BroadcastSlot | None]:
    at = at or timezone.now()
    slots = channel.slots.select_related("programme")
    now = slots.filter(starts_at__lte=at, ends_at__gt=at).first()
    upcoming = slots.filter(starts_at__gte=now.ends_at if now else at).order_by("starts_at")
    return now, upcoming.first()


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def schedule_days(*, today: datetime.date | None = None) -> list[datetime.date]:
    today = today or timezone.localdate()
    return [today + datetime.timedelta(days=i) for i in range(SCHEDULE_DAYS)]


def schedule_for_day(channels, day: datetime.date) -> QuerySet[BroadcastSlot]:
    start, end = local_day_bounds(day)
    return (
        BroadcastSlot.objects.filter(channel__in=channels, starts_at__lt=end, ends_at__gt=start)
        .select_related("channel", "programme", "catch_up")
        .order_by("channel__sort_order", "channel__name", "starts_at")
    )


def programme_episodes(programme: Programme) -> QuerySet[StoryPage]:
    """Published, public stories of the programme's outlet tagged with its episode tag
    whose audio cut has been processed, with the cut's renditions fetched in one query
    (the programme page's players and the podcast feed's enclosures read them)."""
    if not programme.episode_tag:
        return StoryPage.objects.none()
    home = programme.channel.outlet.site.root_page
    return (
        StoryPage.objects.live()
        .public()
        .descendant_of(home)
        .filter(
            tags__slug=programme.episode_tag,
            # A public feed must not give away what the paywall keeps for subscribers.
            access_level=AccessLevel.FREE,
            audio__isnull=False,
            audio__processing_status=ProcessingStatus.READY,
        )
        .select_related("audio")
        .prefetch_related("audio__renditions")
        .distinct()
        .order_by("-first_published_at")
    )


def rundowns_for_user(user) -> QuerySet[Rundown]:
    return Rundown.objects.filter(
        programme__channel__outlet__agency__in=user_agencies(user)
    ).select_related("programme__channel")


@dataclass
class RundownLine:
    item: RundownItem
    number: int
    starts_after: int  # seconds from the top of the programme
    running_total: int


@dataclass
class RundownTiming:
    lines: list[RundownLine]
    total: int
    target: int

    @property
    def difference(self) -> int:
        """Positive: over time; negative: under time."""
        return self.total - self.target

    @property
    def is_over(self) -> bool:
        return self.difference > 0


def rundown_timing(rundown: Rundown) -> RundownTiming:
    lines, total = [], 0
    items = rundown.items.select_related("story", "story__audio", "story__video")
    for number, item in enumerate(items, start=1):
        start = total
        total += item.planned_seconds
        lines.append(RundownLine(item, number, start, total))
    return RundownTiming(lines, total, rundown.target_seconds)
