import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from newsroom.models import StoryPage
from paywall.gating import paid_blocks

from ..support import clear_cache
from .conftest import agency_stories

pytestmark = pytest.mark.django_db

HOSTS = ["localhost", "truyenhinh.localhost", "vannghe.localhost"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


def paid_only_snippets(story) -> list[str]:
    """Paid paragraphs of a story that are not also in its free preview (the demo draws
    paragraphs from one pool)."""
    from paywall.gating import public_text

    teaser = public_text(story)
    snippets = []
    for block in paid_blocks(story):
        if block.block_type == "paragraph":
            text = re.sub("<[^>]+>", "", block.value.source)[:60]
            if text not in teaser:
                snippets.append(text)
    return snippets


@pytest.mark.parametrize("host", HOSTS)
def test_site_rss_parses_and_carries_no_paid_text(client, demo, host):
    response = client.get("/rss/", HTTP_HOST=host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.entries
    checked = 0
    for entry in feed.entries:
        assert entry.link.startswith(f"http://{host}/")
        assert entry.title and entry.published
        story = StoryPage.objects.get(url_path__endswith=entry.link.split(host, 1)[1])
        text = entry.get("content", [{}])[0].get("value", "") + entry.get("summary", "")
        for snippet in paid_only_snippets(story):
            checked += 1
            assert snippet not in text
    if host == "localhost":
        assert checked, "the demo has paid stories in this feed"


def test_feeds_are_per_outlet(client, demo):
    one = feedparser.parse(client.get("/rss/", HTTP_HOST="localhost").content)
    two = feedparser.parse(client.get("/rss/", HTTP_HOST="vannghe.localhost").content)
    assert {e.link for e in one.entries}.isdisjoint({e.link for e in two.entries})


def test_section_rss_and_unknown_section(client, demo):
    response = client.get("/thoi-su/rss/", HTTP_HOST="localhost")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert all("/thoi-su/" in e.link for e in feed.entries)
    assert client.get("/khong-co/rss/", HTTP_HOST="localhost").status_code == 404


def test_atom_parses(client, demo):
    response = client.get("/atom/", HTTP_HOST="localhost")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.version == "atom10"
    assert feed.entries and feed.entries[0].updated


def test_sitemap_has_required_tags(client, demo):
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert urls
    for url in urls:
        loc = url.findtext(f"{SM}loc")
        assert loc.startswith("http://localhost/")
    assert any(url.find(f"{SM}lastmod") is not None for url in urls)
    story = agency_stories(demo.Agency.objects.get(slug="baothanhhoa")).first()
    assert story.get_full_url() in [u.findtext(f"{SM}loc") for u in urls]


def test_news_sitemap_last_two_days(client, demo):
    stories = list(agency_stories(demo.Agency.objects.get(slug="baothanhhoa"))[:3])
    now = timezone.now()
    StoryPage.objects.filter(pk=stories[0].pk).update(first_published_at=now - timedelta(hours=2))
    StoryPage.objects.filter(pk=stories[1].pk).update(first_published_at=now - timedelta(hours=40))
    StoryPage.objects.filter(pk=stories[2].pk).update(first_published_at=now - timedelta(days=3))
    others = agency_stories(demo.Agency.objects.get(slug="baothanhhoa")).exclude(
        pk__in=[s.pk for s in stories]
    )
    others.filter(first_published_at__gte=now - timedelta(days=2)).update(
        first_published_at=now - timedelta(days=5)
    )
    response = client.get("/sitemap-news.xml", HTTP_HOST="localhost")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    urls = root.findall(f"{SM}url")
    locs = [u.findtext(f"{SM}loc") for u in urls]
    assert locs == [stories[0].get_full_url(), stories[1].get_full_url()]
    for url in urls:
        news = url.find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Báo Thanh Hóa điện tử"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "vi"
        assert news.findtext(f"{NEWS}title")
        assert "T" in news.findtext(f"{NEWS}publication_date")
    assert len(urls) <= 1000


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_story_page_has_news_article_jsonld(client, demo):
    story = StoryPage.objects.live().filter(access_level="free").first()
    html = client.get(story.url, HTTP_HOST=story.get_site().hostname).content.decode()
    data = _jsonld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.title[:110]
    assert data["isAccessibleForFree"] is True
    assert data["datePublished"] and data["publisher"]["name"]


def test_paid_story_jsonld_marks_paid_part_and_leaks_nothing(client, demo):
    story = StoryPage.objects.live().filter(access_level="premium").first()
    html = client.get(story.url, HTTP_HOST=story.get_site().hostname).content.decode()
    data = _jsonld(html)
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".paywall-paid",
    }
    assert "articleBody" not in data
    script = json.dumps(data, ensure_ascii=False)
    for snippet in paid_only_snippets(story):
        assert snippet not in script


def test_websub_hub_is_pinged_on_publish(demo, settings, django_capture_on_commit_callbacks):
    received = []

    class Hub(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(parse_qs(self.rfile.read(length).decode()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.DISTRIBUTION_WEBSUB_HUB = f"http://127.0.0.1:{server.server_address[1]}/"
        story = StoryPage.objects.live().filter(url_path__contains="/baothanhhoa/").first()
        with django_capture_on_commit_callbacks(execute=True):
            story.save_revision().publish()
    finally:
        server.shutdown()
        server.server_close()
    urls = [r["hub.url"][0] for r in received]
    assert all(r["hub.mode"] == ["publish"] for r in received)
    assert "http://localhost/rss/" in urls and "http://localhost/atom/" in urls
    assert f"http://localhost/{story.get_parent().slug}/rss/" in urls


def test_feed_reads_its_stories_in_the_same_number_of_queries_at_any_length(
    client, demo, monkeypatch
):
    """Bylines, lead images with their renditions and sections come per feed, not per
    story (renditions made by a first call, so both calls only read)."""
    from distribution.views import feeds

    client.get("/rss/", HTTP_HOST="localhost")
    counts = []
    for items in (2, 20):
        monkeypatch.setattr(feeds, "FEED_ITEMS", items)
        clear_cache()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/rss/", HTTP_HOST="localhost")
        assert len(feedparser.parse(response.content).entries) == items
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_lost_original_image_leaves_the_feed_and_the_page_up(client, demo):
    """An image whose original file is gone (lost disk, storage outage, restore without
    media): the feed and the story's JSON-LD go out without it, not as a 500."""
    newest = StoryPage.objects.live().filter(access_level="free", lead_image__isnull=False)
    story = newest.order_by("-first_published_at").first()
    image = story.lead_image
    image.renditions.all().delete()
    type(image).objects.filter(pk=image.pk).update(file="original_images/da-mat-tep.jpg")
    host = story.get_site().hostname

    response = client.get("/rss/", HTTP_HOST=host)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    (entry,) = [e for e in feed.entries if e.title == story.title]
    assert not entry.get("enclosures")
    page = client.get(story.url, HTTP_HOST=host)
    assert page.status_code == 200
    assert "image" not in _jsonld(page.content.decode())
