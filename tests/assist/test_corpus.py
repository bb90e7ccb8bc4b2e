"""The outlet's model is relearnt when its index changes, without making the editor wait."""

import time

from django.utils import timezone

from assist import corpus
from search.models import StoryIndex


def test_a_changed_index_is_learnt_in_the_background(demo, settings):
    row = StoryIndex.objects.filter(outlet_id__isnull=False).first()
    corpus._outlets.pop(row.outlet_id, None)
    first = corpus.outlet_corpus(row.outlet_id)  # nothing cached: built in the request
    assert corpus.outlet_corpus(row.outlet_id) is first  # unchanged index: the same build

    settings.ASSIST_CORPUS_REFRESH_IN_BACKGROUND = True
    StoryIndex.objects.filter(pk=row.pk).update(indexed_at=timezone.now())
    assert corpus.outlet_corpus(row.outlet_id) is first  # the old build serves meanwhile
    deadline = time.monotonic() + 30
    while corpus._outlets[row.outlet_id][1] is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert corpus._outlets[row.outlet_id][1] is not first
    assert not corpus._rebuilding


def test_in_the_request_when_asked(demo):
    row = StoryIndex.objects.filter(outlet_id__isnull=False).first()
    first = corpus.outlet_corpus(row.outlet_id)
    StoryIndex.objects.filter(pk=row.pk).update(headline="Tiêu đề mới", indexed_at=timezone.now())
    again = corpus.outlet_corpus(row.outlet_id)
    assert again is not first
    assert "Tiêu đề mới" in [doc.headline for doc in again.docs]
