"""Signals the newsroom sends; other apps follow publishing through Wagtail's own
`page_published` / `page_unpublished` signals."""
