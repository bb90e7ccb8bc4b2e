"""Demo newsletters: each outlet's lists, a few subscribers (the demo subscriber gets
the subscriber edition) and a scheduled digest, so the admin screen is not empty."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site

from newsroom.models import StoryPage

from . import services
from .apps import grant_permissions
from .models import EditionStatus, Subscriber, SubscriberStatus

READERS = [
    ("docgia.thuebao@example.vn", "docgia.thuebao"),
    ("docgia.mienphi@example.vn", "docgia.mienphi"),
    ("ban.doc.xa.muong.lat@example.vn", None),
]


def load(stdout=None) -> None:
    grant_permissions()
    User = get_user_model()
    now = timezone.now()
    for site in Site.objects.order_by("-is_default_site", "pk"):
        lists = list(services.newsletters_for_site(site))
        digest = next(n for n in lists if n.section_id is None)
        for email, username in READERS:
            subscriber, _ = Subscriber.objects.get_or_create(
                site=site,
                email=email,
                defaults={
                    "user": User.objects.filter(username=username).first() if username else None,
                    "status": SubscriberStatus.CONFIRMED,
                    "confirmed_at": now,
                },
            )
            subscriber.newsletters.add(digest, *lists[1:2])
        stories = list(
            StoryPage.objects.live()
            .descendant_of(site.root_page)
            .order_by("-first_published_at")[:5]
        )
        edition = services.edition_build(digest, timezone.localdate(), stories=stories)
        if edition is not None and edition.status in (EditionStatus.DRAFT, EditionStatus.SCHEDULED):
            send_at = timezone.make_aware(
                datetime.datetime.combine(timezone.localdate(), digest.send_time)
            )
            if send_at <= now:
                send_at += datetime.timedelta(days=1)
            edition.intro = "Chào bạn đọc, đây là những tin đáng chú ý nhất hôm nay."
            edition.status = EditionStatus.SCHEDULED
            edition.scheduled_at = send_at
            edition.save()
    if stdout:
        stdout.write(f"Newsletters: {Subscriber.objects.count()} demo subscribers.")
