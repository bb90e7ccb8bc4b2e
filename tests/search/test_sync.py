"""The index follows the newsroom: publish, update, unpublish, delete; and it never holds
text a reader may not see."""

import json

import pytest

from newsroom.models import SectionPage, StoryPage
from paywall.gating import blocks_text, paid_blocks
from search.models import SearchTerm, StoryIndex
from search.selectors import story_search

pytestmark = pytest.mark.django_db

SECRET = "Kỳlân trảphí độcquyền"  # words that exist only in the paid part
PUBLIC = "Ngoạicảnh miễnphí"


def _new_story(demo, *, access="premium", title="Hợp tác xã Quýtđường vào vụ thu hoạch"):
    section = SectionPage.objects.get(slug="thoi-su", url_path__startswith="/baothanhhoa/")
    story = StoryPage(
        title=title,
        slug="mua-lua-chin-test",
        standfirst="Nông dân các xã đồng bằng hối hả thu hoạch.",
        access_level=access,
        body=[
            ("paragraph", f"<p>{PUBLIC} cánh đồng vàng.</p>"),
            ("paywall_break", None),
            ("paragraph", f"<p>{SECRET} chỉ dành cho thuê bao.</p>"),
        ],
    )
    section.add_child(instance=story)
    return story


def _publish(story, capture):
    with capture(execute=True):
        story.save_revision().publish()


def _term(word):
    return SearchTerm.objects.filter(word=word).first()


# Searches here are exact (no correction, no relaxing): they check what the index holds.
def test_publish_update_unpublish_delete(demo, django_capture_on_commit_callbacks):
    story = _new_story(demo)
    # A draft is not indexed.
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision()
    assert not StoryIndex.objects.filter(page_id=story.pk).exists()
    assert story_search(exact=True, query="quytduong").total == 0

    _publish(story, django_capture_on_commit_callbacks)
    result = story_search(exact=True, query="quytduong")
    assert [h.page_id for h in result.hits] == [story.pk]
    # The vocabulary follows: the story's own word is in it, counted once per story.
    assert _term("quýtđường").frequency == 1
    assert story_search(query="quytduonng").searched_for == "quýtđường"

    # An edit saved as a draft changes nothing; publishing it updates the index.
    story = StoryPage.objects.get(pk=story.pk)
    story.title = "Hợp tác xã Cammật được mùa"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision()
    assert story_search(exact=True, query="cammat").total == 0
    _publish(story, django_capture_on_commit_callbacks)
    assert [h.page_id for h in story_search(exact=True, query="cammat").hits] == [story.pk]
    assert story_search(exact=True, query="quytduong").total == 0
    assert _term("quýtđường") is None and _term("cammật").frequency == 1

    with django_capture_on_commit_callbacks(execute=True):
        StoryPage.objects.get(pk=story.pk).unpublish()
    assert story_search(exact=True, query="cammat").total == 0
    assert not StoryIndex.objects.filter(page_id=story.pk).exists()
    assert _term("cammật") is None

    _publish(StoryPage.objects.get(pk=story.pk), django_capture_on_commit_callbacks)
    assert story_search(exact=True, query="cammat").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        StoryPage.objects.get(pk=story.pk).delete()
    assert story_search(exact=True, query="cammat").total == 0
    assert not StoryIndex.objects.filter(page_id=story.pk).exists()


def test_paid_text_never_in_index_snippet_or_api(demo, client, django_capture_on_commit_callbacks):
    story = _new_story(demo)
    _publish(story, django_capture_on_commit_callbacks)
    row = StoryIndex.objects.get(page_id=story.pk)
    assert PUBLIC in row.body
    for text in (row.body, row.search_exact, row.search_folded, row.keywords):
        assert "kỳlân" not in text.lower() and "kylan" not in text.lower()
    assert story_search(exact=True, query="kylan").total == 0
    assert story_search(exact=True, query="Kỳlân trảphí").total == 0
    hit = story_search(exact=True, query="ngoaicanh").hits[0]
    assert hit.page_id == story.pk and "Kỳlân" not in hit.snippet
    api = client.get("/api/search/", {"q": "ngoai canh quytduong"}, HTTP_HOST="localhost")
    assert "Kỳlân" not in api.content.decode()
    page = client.get("/tim-kiem/", {"q": "ngoaicanh"}, HTTP_HOST="localhost")
    assert page.status_code == 200 and "Kỳlân" not in page.content.decode()


def test_demo_premium_stories_index_only_their_free_part(indexed):
    premium = StoryPage.objects.live().filter(access_level="premium")
    assert premium.exists()
    for story in premium:
        row = StoryIndex.objects.get(page_id=story.pk)
        paid = blocks_text(paid_blocks(story))
        # The paid part opens with a heading that free demo stories show in full.
        assert "Những chuyển biến rõ nét" in paid
        assert "Những chuyển biến rõ nét" not in row.body
        for hit in story_search(exact=True, query=story.title, per_page=50).hits:
            if hit.page_id == story.pk:
                assert "chuyển biến rõ nét" not in hit.snippet
    free = StoryIndex.objects.filter(access_level="free").first()
    assert "Những chuyển biến rõ nét" in free.body
    json.dumps([r.body for r in StoryIndex.objects.all()])  # all plain text


def test_rebuild_command_shows_progress(indexed):
    from io import StringIO

    from django.core.management import CommandError, call_command

    StoryIndex.objects.all().delete()
    out = StringIO()
    call_command("search_index", "--rebuild", stdout=out)
    text = out.getvalue()
    live = StoryPage.objects.live().public().count()
    assert f"{live}/{live}" in text and "#" in text
    assert StoryIndex.objects.count() == live
    with pytest.raises(CommandError):
        call_command("search_index")
