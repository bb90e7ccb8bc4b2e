"""The "Xem thêm" related stories an editor lists under a story (an inline panel the
"Gợi ý AI" panel also fills, tests/assist/test_panel_browser.py). Readers see the live
ones only, in the editors' order; a story taken down drops out of every list at once and
the nginx refresh asks for the stories that listed it; only published stories of the
same outlet can be chosen."""

import pytest
from django.test import Client

from newsroom.models import StoryPage, StoryRelated
from newsroom.page_refresh import paths_showing
from tests.newsroom.helpers import edit_url, form_errors, section_of, story_form
from tests.paywall.conftest import BROWSER_UA, host

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(demo):
    """A live free text story of Báo Thanh Hóa and three more of the outlet (one paid)."""
    section = section_of("baothanhhoa", "thoi-su")
    outlet = StoryPage.objects.live().descendant_of(section.get_parent())
    story = outlet.child_of(section).filter(access_level="free").order_by("pk").first()
    others = outlet.exclude(pk=story.pk).order_by("-pk")
    paid = others.exclude(access_level="free").first()
    free = list(others.filter(access_level="free")[:2])
    return story, [free[0], paid, free[1]]


def _save(client, story, related):
    data = story_form(title=story.title, standfirst=story.standfirst, related=related)
    data["contributors"] = "Cộng tác viên"
    return client.post(edit_url(story), data)


def _reader_page(story) -> str:
    response = Client(HTTP_USER_AGENT=BROWSER_UA).get(story.get_url_parts()[2], **host(story))
    assert response.status_code == 200
    return response.content.decode()


def _related_block(html: str) -> str:
    start = html.find('<nav class="related-stories"')
    return html[start : html.find("</nav>", start)] if start >= 0 else ""


def test_readers_see_the_live_related_stories_in_the_editors_order(login, story):
    story, related = story
    assert _related_block(_reader_page(story)) == ""  # nothing chosen: nothing shown
    response = _save(login("bientap.baothanhhoa"), story, related)
    assert response.status_code == 302, form_errors(response)
    # A draft carries the list; readers see it once the revision is published.
    draft = StoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
    assert [link.target_id for link in draft.related_links.all()] == [s.pk for s in related]
    assert _related_block(_reader_page(story)) == ""
    draft.get_latest_revision().publish()

    block = _related_block(_reader_page(story))
    assert "Xem thêm" in block
    links = [f'href="{s.get_url_parts()[2]}">{s.title}</a>' for s in related]
    assert [block.find(link) for link in links] == sorted(block.find(link) for link in links)
    assert all(link in block for link in links)  # the paid one too: its paywall gates it

    # Taken down: gone from the list at once (fragment retired), and nginx is asked for
    # the stories that listed it.
    taken_down = related[0]
    assert story.get_url_parts()[2] in paths_showing(taken_down)[1]
    taken_down.unpublish()
    block = _related_block(_reader_page(story))
    assert taken_down.title not in block and related[2].title in block


def test_another_agencys_story_a_draft_or_a_repeat_cannot_be_chosen(login, story):
    story, related = story
    client = login("bientap.baothanhhoa")
    other_agency = StoryPage.objects.live().filter(url_path__startswith="/ptth/").first()
    draft = (
        StoryPage.objects.live()
        .descendant_of(story.get_parent().get_parent())
        .exclude(pk__in=[story.pk, *(s.pk for s in related)])
        .first()
    )
    draft.unpublish()
    revisions = story.revisions.count()
    for chosen, message in [
        ([other_agency], "chỉ nhận bài đã đăng của ấn phẩm này"),
        ([draft], "chỉ nhận bài đã đăng của ấn phẩm này"),
        ([story], "chỉ nhận bài đã đăng của ấn phẩm này"),
        ([related[0], related[0]], "đã có trong mục Xem thêm"),
    ]:
        response = _save(client, story, chosen)
        assert response.status_code == 200, chosen
        errors = str(form_errors(response)["related_links"])
        assert message in errors, errors
    assert story.revisions.count() == revisions  # nothing saved
    assert not StoryRelated.objects.filter(story=story).exists()
