"""Reader pages of the radio-TV outlet: live channels, the schedule, programme pages.
Each finds its Wagtail site from the request: a channel is shown only on its own outlet."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from wagtail.models import Site

from ..broadcast_selectors import (
    channel_now_next,
    channels_for_site,
    programme_episodes,
    programmes_for_site,
    schedule_days,
    schedule_for_day,
)


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("Không có trang này.")
    return site


def live_index(request):
    site = _site(request)
    channels = [(c, *channel_now_next(c)) for c in channels_for_site(site)]
    if not channels:
        raise Http404("Ấn phẩm này không có kênh phát trực tiếp.")
    return render(request, "newsroom/broadcast/live_index.html", {"channels": channels})


def live_channel(request, slug):
    site = _site(request)
    channel = get_object_or_404(channels_for_site(site), slug=slug)
    now, upcoming = channel_now_next(channel)
    today = schedule_for_day([channel], timezone.localdate())
    return render(
        request,
        "newsroom/broadcast/live_channel.html",
        {
            "channel": channel,
            "current": now,
            "next": upcoming,
            "today": today,
            "now": timezone.now(),
        },
    )


def schedule(request):
    site = _site(request)
    channels = list(channels_for_site(site))
    if not channels:
        raise Http404("Ấn phẩm này không có lịch phát sóng.")
    days = schedule_days()
    day = days[0]
    if value := request.GET.get("ngay"):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise Http404("Ngày không hợp lệ.") from exc
        if day not in days:
            raise Http404("Chỉ có lịch của hôm nay và 6 ngày tới.")
    selected = channels
    if slug := request.GET.get("kenh"):
        selected = [c for c in channels if c.slug == slug]
        if not selected:
            raise Http404("Không có kênh này.")
    now = timezone.now()
    by_channel = []
    slots = list(schedule_for_day(selected, day))
    for channel in selected:
        by_channel.append((channel, [s for s in slots if s.channel_id == channel.pk]))
    return render(
        request,
        "newsroom/broadcast/schedule.html",
        {
            "days": days,
            "day": day,
            "channels": channels,
            "selected": selected if len(selected) == 1 else None,
            "by_channel": by_channel,
            "now": now,
        },
    )


def programme(request, slug):
    site = _site(request)
    prog = get_object_or_404(programmes_for_site(site), slug=slug)
    upcoming = prog.slots.filter(ends_at__gt=timezone.now()).order_by("starts_at")[:5]
    past = (
        prog.slots.filter(ends_at__lte=timezone.now(), catch_up__isnull=False)
        .select_related("catch_up")
        .order_by("-starts_at")[:10]
    )
    episodes = programme_episodes(prog)[:20] if prog.is_podcast else []
    return render(
        request,
        "newsroom/broadcast/programme.html",
        {"programme": prog, "upcoming": upcoming, "past": past, "episodes": episodes},
    )


def catch_up(request, pk):
    """Xem lại: the recording of a past slot, on the slot's own outlet."""
    site = _site(request)
    from ..models import BroadcastSlot

    slot = get_object_or_404(
        BroadcastSlot.objects.select_related("channel", "programme", "catch_up"),
        pk=pk,
        channel__outlet__site=site,
        catch_up__isnull=False,
        ends_at__lte=timezone.now(),
    )
    return render(request, "newsroom/broadcast/catch_up.html", {"slot": slot})
