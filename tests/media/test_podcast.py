import feedparser
import pytest
from lxml import etree

from newsroom.broadcast_selectors import programme_episodes
from newsroom.models import Programme, StoryPage

pytestmark = pytest.mark.django_db
TV = {"HTTP_HOST": "truyenhinh.localhost"}
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def test_podcast_feed_has_every_apple_tag(client, demo):
    programme = Programme.objects.get(is_podcast=True)
    episodes = list(programme_episodes(programme))
    assert episodes, "the demo podcast has episodes"
    response = client.get(f"/podcast/{programme.slug}.xml", **TV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == programme.name
    assert feed.feed.language == "vi"
    assert feed.feed.image.href.endswith(".jpg")
    assert feed.feed.tags[0].term == "News"
    assert len(feed.entries) == len(episodes)
    for entry, story in zip(feed.entries, episodes, strict=True):
        assert entry.title == story.title
        assert entry.id == f"hoitu:story:{story.pk}:audio:{story.audio_id}"
        enclosure = entry.enclosures[0]
        mp3 = story.audio.rendition("audio_mp3")
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == mp3.size > 0
        assert enclosure.href == f"http://truyenhinh.localhost{mp3.url}"
        assert int(entry.itunes_duration) == round(mp3.duration)
    # The raw tags Apple requires, by name.
    root = etree.fromstring(response.content)
    channel = root.find("channel")
    for tag in ("image", "category", "explicit", "author", "owner"):
        assert channel.find(f"{{{ITUNES}}}{tag}") is not None, tag
    assert channel.find(f"{{{ITUNES}}}image").get("href").endswith(".jpg")
    assert channel.find(f"{{{ITUNES}}}explicit").text == "false"
    assert channel.find(f"{{{ITUNES}}}category").get("text") == "News"
    for item in channel.findall("item"):
        enclosure = item.find("enclosure")
        assert enclosure.get("length") and enclosure.get("type") and enclosure.get("url")
        assert item.find("guid") is not None
        assert item.find(f"{{{ITUNES}}}duration") is not None


def test_programme_page_links_the_feed_and_feed_is_site_scoped(client, demo):
    programme = Programme.objects.get(is_podcast=True)
    html = client.get(f"/chuong-trinh/{programme.slug}/", **TV).content.decode()
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="{programme.name} (podcast)"'
        f' href="/podcast/{programme.slug}.xml">'
    ) in html
    assert client.get(f"/podcast/{programme.slug}.xml", HTTP_HOST="localhost").status_code == 404
    not_podcast = Programme.objects.filter(is_podcast=False).first()
    assert client.get(f"/podcast/{not_podcast.slug}.xml", **TV).status_code == 404


def test_paywalled_story_is_not_an_episode(demo):
    programme = Programme.objects.get(is_podcast=True)
    story = programme_episodes(programme).first()
    StoryPage.objects.filter(pk=story.pk).update(access_level="premium")
    assert story not in list(programme_episodes(programme))


def test_episode_renditions_come_in_one_query_however_many_episodes(
    demo, django_assert_num_queries
):
    programme = Programme.objects.get(is_podcast=True)
    assert programme_episodes(programme).count() > 1
    # The view restrictions (`.public()`), the stories, then every episode's renditions at
    # once: not one query per episode.
    with django_assert_num_queries(3):
        for story in programme_episodes(programme):
            assert story.audio.rendition("audio_mp3") is not None
            assert story.audio.progressive_sources
