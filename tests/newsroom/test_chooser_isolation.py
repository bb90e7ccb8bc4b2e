"""The page chooser (rich-text internal links, every PageChooser) offers staff the pages of
their own agency's outlets only; the superuser and the department officer every outlet."""

import json

import pytest
from wagtail.models import Page, Site

from newsroom.models import StoryPage

CHOOSE = "/admin/choose-page/"


def home(slug) -> Page:
    return Site.objects.get(outlet__agency__slug=slug).root_page


def listed(response) -> str:
    """The chooser's HTML: a modal step (JSON) when browsing, the bare results on search."""
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)["html"]
    return response.content.decode()


def foreign_story() -> StoryPage:
    return StoryPage.objects.live().descendant_of(home("ptth")).order_by("pk").first()


@pytest.mark.django_db
def test_a_reporter_browses_and_searches_only_their_agency(login):
    reporter = login("phongvien.baothanhhoa")
    own, tv, arts = home("baothanhhoa"), home("ptth"), home("vannghe")
    start = listed(reporter.get(CHOOSE))
    assert own.title in start
    assert tv.title not in start and arts.title not in start
    # A story chooser (one page type) starts from the same tree.
    stories = listed(reporter.get(CHOOSE, {"page_type": "newsroom.storypage"}))
    assert tv.title not in stories and arts.title not in stories
    # Into the own outlet: its sections; into another agency's by address: refused.
    inside = listed(reporter.get(f"{CHOOSE}{own.pk}/"))
    assert own.get_children().live().first().title in inside
    for other in (tv, arts, foreign_story().get_parent()):
        assert reporter.get(f"{CHOOSE}{other.pk}/").status_code == 404
    # Search never finds another agency's story.
    story = foreign_story()
    found = listed(reporter.get(f"{CHOOSE}search/", {"q": story.title}))
    assert story.title not in found
    mine = StoryPage.objects.live().descendant_of(own).order_by("pk").first()
    assert mine.title in listed(reporter.get(f"{CHOOSE}search/", {"q": mine.title}))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["quantri", "so.tttt"])
def test_superuser_and_department_officer_see_every_outlet(login, username):
    client = login(username)
    start = listed(client.get(CHOOSE))
    for slug in ("baothanhhoa", "ptth", "vannghe"):
        assert home(slug).title in start
    story = foreign_story()
    assert story.get_parent().title in listed(client.get(f"{CHOOSE}{home('ptth').pk}/"))
    assert story.title in listed(client.get(f"{CHOOSE}search/", {"q": story.title}))


@pytest.mark.django_db
def test_an_editor_in_chief_of_another_agency_sees_only_theirs(login):
    editor = login("tongbientap.vannghe")
    start = listed(editor.get(CHOOSE))
    assert home("vannghe").title in start
    assert home("baothanhhoa").title not in start and home("ptth").title not in start
    assert editor.get(f"{CHOOSE}{home('baothanhhoa').pk}/").status_code == 404
