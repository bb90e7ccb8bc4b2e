import pytest


@pytest.fixture(autouse=True)
def _corpus_always_current(settings):
    """The tests change the index and load the demo again: the assistant relearns at
    once, in the request (no thread outliving a test)."""
    settings.ASSIST_CORPUS_REFRESH_IN_BACKGROUND = False
