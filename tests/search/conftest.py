import pytest


@pytest.fixture
def indexed(demo):
    """The demo newsroom with a freshly rebuilt index (a transactional test elsewhere may
    have flushed it)."""
    from search.models import StoryIndex
    from search.services import search_index_rebuild

    if not StoryIndex.objects.exists():
        search_index_rebuild()
    return demo
