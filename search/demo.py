"""Demo step: rebuild the search index once the demo newsroom is loaded (idempotent)."""

from .services import search_index_rebuild


def load(stdout=None) -> None:
    count = search_index_rebuild()
    if stdout:
        stdout.write(f"Search index: {count} stories.")
