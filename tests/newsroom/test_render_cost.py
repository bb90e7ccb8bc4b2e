"""What a reader page costs the app once its shared fragments are cached (newsroom/
fragments.py; figures in docs/architecture.md, "Render cost"), and that a fragment never
outlives a publish nor carries one reader's view of a paid story to another."""

import pytest
from django.test import Client, override_settings

from newsroom.models import SectionPage, StoryPage
from newsroom.page_refresh import RefreshFailed, paths_showing, refresh
from tests.paywall import conftest as paywall_fixtures
from tests.paywall.conftest import BROWSER_UA, assert_no_paid, assert_paid, host

pytestmark = pytest.mark.django_db
stories = paywall_fixtures.stories  # the demo's free, metered and premium stories

# Measured on the demo (bench/render_cost.py): home, section and text story 0, radio and
# TV stories 4 queries once the fragments and the route are cached. A little room, no more.
MAX_QUERIES = {"home": 1, "section": 1, "story": 1, "radio_story": 5, "tv_story": 5}


@pytest.fixture
def pages(demo):
    live = StoryPage.objects.live().order_by("pk")
    text = live.filter(
        primary_format="text", access_level="free", video__isnull=True, audio__isnull=True
    ).first()
    home = text.get_site().root_page
    return {
        "home": home,
        "section": SectionPage.objects.live().child_of(home).order_by("pk").first(),
        "story": text,
        "radio_story": live.filter(audio__isnull=False, access_level="free").first(),
        "tv_story": live.filter(video__isnull=False, access_level="free").first(),
    }


def get(client, page):
    response = client.get(page.get_url_parts()[2], **host(page))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", list(MAX_QUERIES))
def test_reader_page_queries_once_fragments_are_cached(name, pages, django_assert_max_num_queries):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    first = get(client, pages[name])  # fills the fragments
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        again = get(client, pages[name])
    assert again == first


def test_a_publish_shows_at_once_on_fragment_cached_pages(pages):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    story = pages["story"]
    section = story.get_parent()
    for page in (pages["home"], section, story):
        assert story.title in get(client, page)
    story.title = "Tin mới: lũ trên sông Mã đã rút"
    story.standfirst = "Sapo mới sau đính chính."
    story.save_revision().publish()
    for page in (pages["home"], section, story):
        assert "Tin mới: lũ trên sông Mã đã rút" in get(client, page), page
    assert "Sapo mới sau đính chính." in get(client, story)

    # A takedown: gone from the lists at once.
    story.unpublish()
    for page in (pages["home"], section):
        assert "Tin mới: lũ trên sông Mã đã rút" not in get(client, page), page


def test_a_paid_story_is_never_served_from_one_readers_fragment_to_another(
    stories, django_user_model
):
    premium = stories["premium"]
    subscriber = Client(HTTP_USER_AGENT=BROWSER_UA)
    subscriber.force_login(django_user_model.objects.get(username="docgia.thuebao"))
    anonymous = Client(HTTP_USER_AGENT=BROWSER_UA)
    # The subscriber first (fragments filled from the full view), then an anonymous
    # reader; then the other way round after a publish retired everything.
    assert_paid(get(subscriber, premium), premium)
    assert_no_paid(get(anonymous, premium), premium)
    premium.save_revision().publish()
    assert_no_paid(get(anonymous, premium), premium)
    assert_paid(get(subscriber, premium), premium)


def test_preview_never_uses_a_cached_fragment(pages):
    story = pages["story"]
    get(Client(HTTP_USER_AGENT=BROWSER_UA), story)  # fragments filled from the live story
    story.title = "Bản nháp chưa đăng"  # an unsaved draft, as the editor's preview has it
    preview = story.make_preview_request()
    assert "Bản nháp chưa đăng" in preview.content.decode()


def test_pages_to_refresh_for_a_story(stories):
    story = stories["free"]
    hostname, paths = paths_showing(story)
    section = story.get_parent()
    assert hostname == story.get_site().hostname
    assert paths[:3] == [story.get_url_parts()[2], "/", section.get_url_parts()[2]]
    assert "/rss/" in paths and f"/{section.slug}/rss/" in paths
    for tag in story.tags.all():
        assert f"/tag/{tag.slug}/" in paths


def test_a_refresh_that_cannot_reach_nginx_never_fails_the_publish(
    stories, django_capture_on_commit_callbacks
):
    from tests.deploy.conftest import free_port

    story = stories["free"]
    nowhere = {
        "HOITU_PAGE_CACHE_REFRESH_URLS": [f"http://127.0.0.1:{free_port()}"],
        "HOITU_PAGE_CACHE_REFRESH_KEY": "k",
        "HOITU_PAGE_CACHE_REFRESH_TIMEOUT": 1,
    }
    with override_settings(**nowhere):
        with pytest.raises(RefreshFailed):
            refresh("localhost", ["/"])
        # The task (eager here) retries, then gives up; the publish stands.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            story.save_revision().publish()
    assert callbacks
    story.refresh_from_db()
    assert story.live and not story.has_unpublished_changes
