"""A paid story's audio and video follow the gate of its text: no media address in the
page, feeds, APIs or partner pushes for a reader or route that may not have it; the files
only through links signed for an entitled reader, which expire; the public MEDIA_URL
path refuses them."""

import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from newsroom.media.access import link_token, signed_url
from newsroom.models import StoryPage
from paywall.access import AccessLevel
from tests.paywall.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db

MEDIA_ADDRESS = re.compile(r"/tep-media/|media_renditions/|/media/media/|media_thumbnails/")


def _demo_story(level, cut):
    story = StoryPage.objects.live().filter(access_level=level, **{f"{cut}__isnull": False}).first()
    assert story is not None, f"the demo has a {level} story with {cut}"
    assert getattr(story, cut).is_ready
    return story


@pytest.fixture
def premium_tv(demo):
    return _demo_story(AccessLevel.PREMIUM, "video")


@pytest.fixture
def metered_radio(demo):
    return _demo_story(AccessLevel.METERED, "audio")


def reader(username=None, password=None):
    """A browser-like client, logged in as the demo reader `username` when given."""
    from django.contrib.auth import get_user_model

    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _path(story):
    return story.get_url_parts()[2]


def page_html(client, story):
    response = client.get(_path(story), HTTP_HOST=story.get_site().hostname)
    assert response.status_code == 200
    return response.content.decode()


def file_names(asset):
    names = [asset.file.name]
    for rendition in asset.renditions.all():
        names += rendition.files
    return names


def fetch(client, story, url):
    return client.get(url, HTTP_HOST=story.get_site().hostname)


def test_wall_page_has_no_media_address_for_anonymous_or_free_reader(premium_tv, demo_password):
    for client in (reader(), reader("docgia.mienphi", demo_password)):
        html = page_html(client, premium_tv)
        assert "paywall-wall" in html
        assert "<video" not in html and "data-hls" not in html
        assert not MEDIA_ADDRESS.search(html), MEDIA_ADDRESS.search(html).group(0)
        assert "dành cho bạn đọc có quyền đọc toàn bài" in html


def test_subscriber_gets_signed_player_that_plays_the_whole_ladder(premium_tv, demo_password):
    subscriber = reader("docgia.thuebao", demo_password)
    html = page_html(subscriber, premium_tv)
    assert "<video" in html
    hls = re.search(r'data-hls="([^"]+)"', html).group(1)
    assert hls.startswith("/tep-media/") and hls.endswith("master.m3u8")
    # Every address in the player is signed; none is the public media path.
    addresses = re.findall(r'"([^"]*media_renditions/[^"]*)"', html)
    assert len(addresses) >= 4  # poster, two MP4s, the master playlist
    assert all(a.startswith("/tep-media/") for a in addresses), addresses
    master = fetch(subscriber, premium_tv, hls)
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "private" in master["Cache-Control"]
    text = b"".join(master.streaming_content).decode()
    variant = next(line for line in text.splitlines() if line.endswith(".m3u8"))
    prefix = hls.rsplit("/", 1)[0]
    # Relative references resolve under the same signed prefix.
    playlist = fetch(subscriber, premium_tv, f"{prefix}/{variant}")
    assert playlist.status_code == 200
    body = b"".join(playlist.streaming_content).decode()
    segment = next(line for line in body.splitlines() if line.endswith(".ts"))
    seg_url = f"{prefix}/{variant.rsplit('/', 1)[0]}/{segment}"
    seg = fetch(subscriber, premium_tv, seg_url)
    assert seg.status_code == 200 and seg["Content-Type"] == "video/mp2t"
    assert len(b"".join(seg.streaming_content)) > 1000

    # The same link is worth nothing to anyone else.
    assert fetch(reader(), premium_tv, seg_url).status_code == 403
    assert fetch(reader("docgia.mienphi", demo_password), premium_tv, hls).status_code == 403
    # A file of another cut under this token is not there.
    other = StoryPage.objects.live().filter(access_level="free", video__isnull=False).first()
    token = hls.split("/")[2]
    assert (
        fetch(subscriber, premium_tv, signed_url(token, other.video.file.name)).status_code == 404
    )


def test_signed_link_expires(premium_tv, demo_password, settings):
    from django.contrib.auth import get_user_model

    settings.HOITU_MEDIA_LINK_MAX_AGE = 60
    user = get_user_model().objects.get(username="docgia.thuebao")
    subscriber = reader("docgia.thuebao", demo_password)
    name = premium_tv.video.hls.file.name
    real_time = time.time

    def signed_ago(seconds):
        # Time travel of the signer's clock: the token carries the time it was signed.
        with mock.patch.object(signing.time, "time", lambda: real_time() - seconds):
            return signed_url(link_token(premium_tv.video, premium_tv, user), name)

    assert fetch(subscriber, premium_tv, signed_ago(30)).status_code == 200
    expired = fetch(subscriber, premium_tv, signed_ago(61))
    assert expired.status_code == 403
    assert "hết hạn" in expired.content.decode()
    tampered = signed_ago(0).replace("/tep-media/", "/tep-media/x")
    assert fetch(subscriber, premium_tv, tampered).status_code == 403


def test_link_stops_when_subscription_ends(premium_tv):
    from paywall.models import Plan, Subscription, SubscriptionStatus
    from paywall.services import reader_create

    user = reader_create(email="nguoi.xem.video@example.vn", password="mat-khau-rat-dai-2026")
    site = premium_tv.get_site()
    now = timezone.now()
    subscription = Subscription.objects.create(
        user=user,
        site=site,
        plan=Plan.objects.filter(site=site).first(),
        status=SubscriptionStatus.ACTIVE,
        starts_at=now,
        ends_at=now + timezone.timedelta(days=30),
    )
    client = reader()
    client.force_login(user)
    hls = re.search(r'data-hls="([^"]+)"', page_html(client, premium_tv)).group(1)
    assert fetch(client, premium_tv, hls).status_code == 200
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.save()
    assert fetch(client, premium_tv, hls).status_code == 403


def test_public_media_path_refuses_cuts_of_paid_stories(premium_tv, metered_radio, settings):
    settings.DEBUG = True  # MEDIA_URL is only served by Django in development
    client = reader()
    free = StoryPage.objects.live().filter(access_level="free", video__isnull=False).first()
    assert fetch(client, free, settings.MEDIA_URL + free.video.hls.file.name).status_code == 200
    for story, asset in ((premium_tv, premium_tv.video), (metered_radio, metered_radio.audio)):
        for name in file_names(asset):
            assert fetch(client, story, settings.MEDIA_URL + name).status_code == 404, name
    # nginx asks the same question before serving MEDIA_URL itself (auth_request).
    gate = "/_media-gate/"
    protected = settings.MEDIA_URL + premium_tv.video.hls.file.name
    public = settings.MEDIA_URL + free.video.hls.file.name
    assert client.get(gate, HTTP_X_ORIGINAL_URI=protected).status_code == 403
    assert client.get(gate, HTTP_X_ORIGINAL_URI=public).status_code == 204


def test_production_hands_the_file_to_nginx(premium_tv, demo_password, settings):
    settings.HOITU_MEDIA_ACCEL_REDIRECT = "/_protected-media/"
    subscriber = reader("docgia.thuebao", demo_password)
    hls = re.search(r'data-hls="([^"]+)"', page_html(subscriber, premium_tv)).group(1)
    response = fetch(subscriber, premium_tv, hls)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == ("/_protected-media/" + premium_tv.video.hls.file.name)
    assert fetch(reader(), premium_tv, hls).get("X-Accel-Redirect") is None


def test_metered_story_media_follows_the_meter(metered_radio, demo):
    site_root = metered_radio.get_site().root_page.url_path
    others = list(
        StoryPage.objects.live()
        .filter(url_path__startswith=site_root, access_level=AccessLevel.METERED)
        .exclude(pk=metered_radio.pk)
        .order_by("pk")[:3]
    )
    # Under the meter: the player, and its link works with the reader's meter cookie.
    fresh = reader()
    html = page_html(fresh, metered_radio)
    assert "<audio" in html
    source = re.search(r'<source src="(/tep-media/[^"]+)"', html).group(1)
    response = fetch(fresh, metered_radio, source)
    assert response.status_code == 200 and response["Content-Type"].startswith("audio/")
    # Another anonymous reader, who has not spent a free story on it, gets nothing.
    assert fetch(reader(), metered_radio, source).status_code == 403

    # Out of free stories: the wall, and no media address.
    spent = reader()
    for story in others:
        page_html(spent, story)
    html = page_html(spent, metered_radio)
    assert "paywall-wall" in html and "<audio" not in html
    assert not MEDIA_ADDRESS.search(html)


def test_distribution_routes_leave_out_paid_cuts(premium_tv, metered_radio):
    from distribution.adapters.zalo import wants_video
    from distribution.content import public_story
    from distribution.sharing import newsml_item, ninjs_item

    free_tv = StoryPage.objects.live().filter(access_level="free", video__isnull=False).first()
    assert public_story(free_tv).video_url  # the free cut still goes out
    view = public_story(premium_tv)
    assert view.video_url == "" and view.video_file == ""
    assert not wants_video(view), "Zalo would upload the premium cut as a public video"
    for text in (str(ninjs_item(view)), newsml_item(view).decode()):
        assert not MEDIA_ADDRESS.search(text)


def test_feeds_and_apis_carry_no_paid_cut(premium_tv, metered_radio):
    client = reader()
    host = premium_tv.get_site().hostname
    for url in (
        "/rss/",
        "/atom/",
        f"/api/v2/pages/{premium_tv.pk}/",
        f"/api/v2/pages/{metered_radio.pk}/",
    ):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 200, url
        text = response.content.decode()
        for asset in (premium_tv.video, metered_radio.audio):
            for name in file_names(asset):
                assert name not in text, (url, name)


def test_podcast_skips_a_cut_a_paid_story_also_plays(metered_radio):
    from newsroom.demo.broadcast import PODCAST_TAG

    episode = (
        StoryPage.objects.live()
        .filter(access_level="free", audio__isnull=False, tags__slug=PODCAST_TAG)
        .first()
    )
    client = reader()
    host = episode.get_site().hostname
    feed = client.get("/podcast/thoi-su-phat-thanh.xml", HTTP_HOST=host).content.decode()
    assert f"hoitu:story:{episode.pk}:audio" in feed
    StoryPage.objects.filter(pk=episode.pk).update(audio=metered_radio.audio)
    feed = client.get("/podcast/thoi-su-phat-thanh.xml", HTTP_HOST=host).content.decode()
    assert f"hoitu:story:{episode.pk}:audio" not in feed
    for name in file_names(metered_radio.audio):
        assert name not in feed


def test_staff_edit_page_links_the_paid_cut_through_staff_links(premium_tv):
    from django.contrib.auth import get_user_model

    staff = Client()
    staff.force_login(get_user_model().objects.get(username="bientap.ptth"))
    asset = premium_tv.video
    html = staff.get(f"/admin/media/edit/{asset.pk}/").content.decode()
    links = re.findall(r'<li><a href="([^"]+)">', html.split("media-renditions", 1)[1])
    assert links and all(link.startswith("/tep-media/") for link in links), links
    assert fetch(staff, premium_tv, links[0]).status_code == 200
    # Signed for that editor: a reader (even a subscriber) holding it gets nothing.
    assert fetch(reader("docgia.thuebao"), premium_tv, links[0]).status_code == 403
