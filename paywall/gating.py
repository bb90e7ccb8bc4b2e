"""The one gating rule's building blocks. Every route that outputs a story's text (page,
API, feeds, sharing API, search snippets, meta descriptions, JSON-LD) takes it from here,
so paid text never leaves through a side door.

This module works on any object with `access_level` and a StreamField `body`; it imports
no other app of the project."""

import re
from html import unescape

from django.utils.html import strip_tags

from .access import PREVIEW_BREAK_BLOCK, AccessLevel


def is_free(story) -> bool:
    return story.access_level == AccessLevel.FREE


def teaser_blocks(story) -> list:
    """The blocks anyone may see: the whole body of a free story; for a metered or premium
    story the blocks before the preview break (none if the break is missing, so a
    forgotten marker never leaks the story)."""
    blocks = list(story.body)
    if is_free(story):
        return [b for b in blocks if b.block_type != PREVIEW_BREAK_BLOCK]
    for index, block in enumerate(blocks):
        if block.block_type == PREVIEW_BREAK_BLOCK:
            return blocks[:index]
    return []


def paid_blocks(story) -> list:
    """The blocks only entitled readers may see (empty for a free story)."""
    if is_free(story):
        return []
    blocks = list(story.body)
    for index, block in enumerate(blocks):
        if block.block_type == PREVIEW_BREAK_BLOCK:
            return blocks[index + 1 :]
    return [b for b in blocks if b.block_type != PREVIEW_BREAK_BLOCK]


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|div|ul|ol|blockquote|tr|td|th)>|<br\s*/?>", re.I)


def _html_text(html: str) -> str:
    """Text of rich text, with a space where a block ends so words don't run together,
    and entities decoded: this is plain text (search words, feeds, JSON-LD, meta), where
    "&amp;" would show as such or be indexed as the word "amp".
    (Wagtail's `get_text_for_indexing` does the same but misses `<br>` without a slash.)"""
    return unescape(strip_tags(_BLOCK_END.sub(lambda m: m.group(0) + " ", html)))


def blocks_text(blocks) -> str:
    """Plain text of blocks (for feeds, search, descriptions)."""
    parts = []
    for block in blocks:
        value = block.value
        if hasattr(value, "source"):  # RichText
            parts.append(_html_text(value.source))
        elif isinstance(value, str):
            parts.append(value)
        elif hasattr(value, "get"):  # StructValue
            for key in ("text", "title", "caption", "body"):
                item = value.get(key)
                if item is None:
                    continue
                parts.append(_html_text(getattr(item, "source", str(item))))
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def public_text(story) -> str:
    """Text that may go anywhere public: feeds, partner APIs, search index, snippets."""
    return blocks_text(teaser_blocks(story))
