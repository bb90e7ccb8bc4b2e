"""The index follows publishing through a real Celery worker on Redis, after commit."""

import time

import pytest

from newsroom.models import SectionPage, StoryPage
from search.models import StoryIndex
from tests.support import running_worker


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_indexes_published_story_and_drops_unpublished(demo, settings):
    with running_worker(settings):
        section = SectionPage.objects.get(slug="thoi-su", url_path__startswith="/baothanhhoa/")
        story = StoryPage(
            title="Làng nghề Chiếuhới giữ nghề truyền thống",
            slug="lang-nghe-worker-test",
            standfirst="Người dân giữ nghề dệt chiếu.",
            body=[("paragraph", "<p>Nghề dệt chiếu có từ lâu đời.</p>")],
        )
        section.add_child(instance=story)
        story.save_revision().publish()  # autocommit: on_commit fires at once
        assert _wait_for(lambda: StoryIndex.objects.filter(page_id=story.pk).exists())
        StoryPage.objects.get(pk=story.pk).unpublish()
        assert _wait_for(lambda: not StoryIndex.objects.filter(page_id=story.pk).exists())
