"""PostgreSQL: the story index's rows as narrow as what one pass over every match reads —
the scope and filter columns, the publication time and the facet labels. A broad query
("xã", "thanh hóa") matches most of 100,000 stories; counting them and their facets reads
every matching row, so every byte in the row is read tens of thousands of times.

What only the 20 hits of a page or the ranked window (`search.backends.database`:
`RANK_WINDOW` newest matches) read moves to TOAST storage (`STORAGE EXTERNAL`: out of line
once the row passes `toast_tuple_target`, uncompressed, so reading it back is a plain
fetch): the headline, address, keywords and the scoring vector `vector_lead` (kept in the
row by 0005, when every match was scored). About 880 bytes per row become about 150.
Existing rows are rewritten once. Skipped on SQLite."""

from django.db import migrations

EXTERNAL = ("vector_lead", "headline", "url", "keywords")


def _storage(columns, storage) -> str:
    return ", ".join(f"ALTER COLUMN {c} SET STORAGE {storage}" for c in columns)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE search_storyindex {_storage(EXTERNAL, 'EXTERNAL')}")
    # A new row version goes through TOAST with the new settings (vector_lead, generated,
    # is recomputed). On a large index, `VACUUM FULL search_storyindex` afterwards gives
    # the old pages back.
    schema_editor.execute("UPDATE search_storyindex SET headline = headline || ''")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE search_storyindex {_storage(('vector_lead',), 'PLAIN')}")
    columns = _storage(("headline", "url", "keywords"), "EXTENDED")
    schema_editor.execute(f"ALTER TABLE search_storyindex {columns}")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_narrow_rows")]

    operations = [migrations.RunPython(forward, backward)]
