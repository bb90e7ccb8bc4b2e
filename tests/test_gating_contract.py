import pytest

from newsroom.models import StoryPage
from paywall.access import AccessLevel
from paywall.gating import paid_blocks, public_text, teaser_blocks

pytestmark = pytest.mark.django_db


def test_premium_demo_story_public_text_stops_at_the_break(demo):
    story = StoryPage.objects.filter(access_level=AccessLevel.PREMIUM).first()
    paid = paid_blocks(story)
    assert paid, "demo premium stories have paid blocks"
    teaser = public_text(story)
    for block in paid:
        if block.block_type == "paragraph":
            assert block.value.source.strip("<p>/") not in teaser
    assert len(teaser_blocks(story)) == 2


def test_missing_break_leaks_nothing(demo):
    story = StoryPage.objects.filter(access_level=AccessLevel.METERED).first()
    story.body = [(b.block_type, b.value) for b in story.body if b.block_type != "paywall_break"]
    assert teaser_blocks(story) == []
    assert public_text(story) == ""


def test_block_text_keeps_words_apart():
    from wagtail.rich_text import RichText

    from paywall.gating import blocks_text

    class Block:
        block_type = "paragraph"
        value = RichText("<ul><li>Một</li><li>Hai</li></ul><p>Ba<br>Bốn</p>")

    text = blocks_text([Block()])
    assert "MộtHai" not in text and "BaBốn" not in text
    assert text.split() == ["Một", "Hai", "Ba", "Bốn"]


def test_block_text_is_plain_text_not_html_entities():
    from wagtail.rich_text import RichText

    from paywall.gating import blocks_text

    class Block:
        block_type = "paragraph"
        value = RichText("<p>Giá&nbsp;xăng &amp; dầu &lt;tăng&gt;</p>")

    assert blocks_text([Block()]).split() == ["Giá", "xăng", "&", "dầu", "<tăng>"]
