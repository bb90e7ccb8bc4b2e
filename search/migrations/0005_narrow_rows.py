"""PostgreSQL: keep the story index's rows narrow, so a broad query that matches most
stories reads few heap pages. Long text and the two large tsvectors go to TOAST storage as
soon as a row passes 128 bytes (`toast_tuple_target`, `STORAGE EXTERNAL`: no inline
compression), while what counting, facets and scoring read in every matching row stays in
the row (`PLAIN`): `vector_lead` and the facet labels (else TOAST would take them too, the
row being over the target). A match on `vector_folded` is answered by its GIN index without
reading the vector (no recheck), so what stays in the row is what counting, facets and
scoring read. Existing rows are rewritten once. Skipped on SQLite."""

from django.db import migrations

EXTERNAL = ("body", "standfirst", "search_exact", "search_folded", "vector_folded", "vector_exact")
PLAIN = ("vector_lead", "outlet_name", "section_title", "place_name", "primary_format")


def _storage(columns, storage) -> str:
    return ", ".join(f"ALTER COLUMN {c} SET STORAGE {storage}" for c in columns)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE search_storyindex SET (toast_tuple_target = 128)")
    schema_editor.execute(f"ALTER TABLE search_storyindex {_storage(EXTERNAL, 'EXTERNAL')}")
    schema_editor.execute(f"ALTER TABLE search_storyindex {_storage(PLAIN, 'PLAIN')}")
    # A new row version goes through TOAST with the new settings. On a large existing
    # index, `VACUUM FULL search_storyindex` afterwards gives the old pages back.
    schema_editor.execute("UPDATE search_storyindex SET body = body || ''")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE search_storyindex RESET (toast_tuple_target)")
    columns = _storage(EXTERNAL + PLAIN, "EXTENDED")
    schema_editor.execute(f"ALTER TABLE search_storyindex {columns}")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_vector_lead")]

    operations = [migrations.RunPython(forward, backward)]
