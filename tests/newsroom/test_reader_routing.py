"""Reader pages routed from the cache (newsroom/routing.py) and fragments kept per process
(newsroom/fragments.py): the same site as Wagtail chooses, and never a route or fragment
that outlives a slug change, a view restriction, a takedown or another process's bump."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from wagtail.models import PageViewRestriction, Site

from newsroom import fragments
from newsroom.models import SectionPage, StoryPage
from newsroom.routing import site_for_request
from tests.paywall.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(demo):
    return (
        StoryPage.objects.live()
        .filter(primary_format="text", access_level="free", audio__isnull=True)
        .order_by("pk")
        .first()
    )


def get(path, host):
    return Client(HTTP_USER_AGENT=BROWSER_UA).get(path, HTTP_HOST=host)


def address(page):
    return page.get_url_parts()[2], page.get_site().hostname


def test_the_site_is_the_one_wagtail_chooses(demo):
    default = Site.objects.get(is_default_site=True)
    Site.objects.create(hostname="hai.localhost", port=8001, root_page=default.root_page)
    Site.objects.create(hostname="hai.localhost", port=8002, root_page=default.root_page)
    Site.objects.create(hostname="mot.localhost", port=80, root_page=default.root_page)
    hosts = [
        site.hostname for site in Site.objects.all()
    ] + [  # exact host and port, host with another port (one or two such sites), unknown
        "hai.localhost:8001",
        "hai.localhost:8003",
        "mot.localhost:8000",
        "mot.localhost",
        "khong-co.localhost",
        f"{default.hostname}:9999",
    ]
    for host in hosts:
        request = RequestFactory().get("/", HTTP_HOST=host)
        assert site_for_request(request) == Site._find_for_request(request), host


def test_a_slug_change_a_restriction_and_a_takedown_reach_the_route_at_once(story):
    path, host = address(story)
    assert get(path, host).status_code == 200  # the route is cached from here on
    assert get(path, host).status_code == 200

    story.slug = "duong-dan-moi"
    story.save_revision().publish()
    assert get(path, host).status_code == 404
    new_path = address(StoryPage.objects.get(pk=story.pk))[0]
    assert new_path.endswith("/duong-dan-moi/") and get(new_path, host).status_code == 200

    restriction = PageViewRestriction.objects.create(
        page=story.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.first())
    answer = get(new_path, host)
    assert answer.status_code == 302 and "/_util/login/" in answer["Location"]
    restriction.delete()
    assert get(new_path, host).status_code == 200

    StoryPage.objects.get(pk=story.pk).unpublish()
    assert get(new_path, host).status_code == 404


def test_another_process_bump_reaches_this_process_cached_fragments(story):
    path, host = address(story)
    assert story.title in get(path, host).content.decode()
    # A change this process hears nothing of: what it keeps is still served...
    StoryPage.objects.filter(pk=story.pk).update(title="Tiêu đề đổi ở máy khác")
    assert "Tiêu đề đổi ở máy khác" not in get(path, host).content.decode()
    # ...until another process moves the generation in the shared cache.
    cache.incr(fragments.GENERATION_KEY)
    assert "Tiêu đề đổi ở máy khác" in get(path, host).content.decode()


def test_a_section_page_number_is_checked_against_the_cached_count(demo):
    section = SectionPage.objects.live().order_by("pk").first()
    path, host = address(section)
    count = StoryPage.objects.live().child_of(section).count()
    assert count
    html = get(path, host).content.decode()
    assert html.count('<article class="card') == min(count, 20)
    assert get(path + "?trang=1", host).status_code == 200
    assert get(path + "?trang=9", host).status_code == 404
    assert get(path + "?trang=khong", host).status_code == 200


@override_settings(HOITU_FRAGMENT_PROCESS_CHARS=100)
def test_what_a_process_keeps_is_bounded(db):
    for n in range(5):
        fragments.store(fragments.fragment_key("thu", n), "x" * 40)
    assert fragments._tier.size <= 100
    assert len(fragments._tier.items) == 2  # the two latest
    fragments.store(fragments.fragment_key("lon"), "x" * 101)  # too big: the cache only
    assert fragments.fragment_key("lon") not in fragments._tier.items
    assert fragments.read(fragments.fragment_key("lon")) == "x" * 101
