import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)


def paid_snippets(story):
    """Distinctive bits of the story's paid blocks, as they would appear in HTML."""
    from paywall.gating import paid_blocks

    snippets = []
    for block in paid_blocks(story):
        if block.block_type == "paragraph":
            text = strip_tags(block.value.source).strip()
            snippets.append(text[:60])
    assert snippets, "story has paid paragraphs"
    return snippets


def assert_no_paid(text, story):
    page = html.unescape(text)
    for snippet in paid_snippets(story):
        assert snippet not in page, f"paid text leaked: {snippet!r}"


def assert_paid(text, story):
    page = html.unescape(text)
    for snippet in paid_snippets(story):
        assert snippet in page, f"paid text missing: {snippet!r}"


@pytest.fixture
def reader_client():
    """A browser-like client (no user agent counts as a bot)."""
    return Client(HTTP_USER_AGENT=BROWSER_UA)


@pytest.fixture
def stories(demo):
    from newsroom.models import StoryPage
    from paywall.access import AccessLevel

    site_stories = StoryPage.objects.live().filter(
        url_path__startswith=StoryPage.objects.live().first().get_site().root_page.url_path
    )
    premium = site_stories.filter(access_level=AccessLevel.PREMIUM).first()
    metered = list(site_stories.filter(access_level=AccessLevel.METERED).order_by("pk")[:6])
    free = site_stories.filter(access_level=AccessLevel.FREE).first()
    assert premium and len(metered) >= 5 and free
    return {"premium": premium, "metered": metered, "free": free, "site": premium.get_site()}


def host(story):
    return {"HTTP_HOST": story.get_site().hostname}


@pytest.fixture
def make_reader(db):
    from paywall.services import reader_create, reader_verify_email

    counter = {"n": 0}

    def make(email=None, verified=True):
        counter["n"] += 1
        user = reader_create(
            email=email or f"reader{counter['n']}-{timezone.now().timestamp()}@example.vn",
            password="mat-khau-rat-dai-2026",
        )
        if verified:
            reader_verify_email(user=user)
        return user

    return make


@pytest.fixture
def subscribe(db):
    from paywall.models import Plan, Subscription, SubscriptionStatus

    def make(user, site, *, days_left=30, status=SubscriptionStatus.ACTIVE):
        plan = Plan.objects.filter(site=site).first()
        now = timezone.now()
        return Subscription.objects.create(
            user=user,
            site=site,
            plan=plan,
            status=status,
            starts_at=now - timedelta(days=60),
            ends_at=now + timedelta(days=days_left),
            activated_at=now - timedelta(days=60),
        )

    return make


@pytest.fixture
def provincial_library(db):
    """An institution that reads everything from its IP ranges (v4 and v6)."""
    from paywall.models import Institution

    return Institution.objects.create(
        name="Thư viện tỉnh Thanh Hóa",
        ip_ranges="203.113.130.0/24\n2001:db8::/32",
        seat_limit=5,
        valid_until=timezone.localdate() + timezone.timedelta(days=30),
    )
