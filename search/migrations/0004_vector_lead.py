"""PostgreSQL: a small tsvector of the headline (weight A), standfirst and keywords
(weight B), folded, for the one scoring rule (`search.backends.database`): which field a
query word is in is read from this short vector, not from the whole body's, so ranking
tens of thousands of matches stays cheap. Skipped on SQLite."""

from django.db import migrations

LEAD = (
    "setweight(to_tsvector('hoitu_vi'::regconfig, coalesce(headline, '')), 'A') || "
    "setweight(to_tsvector('hoitu_vi'::regconfig, coalesce(standfirst, '')), 'B') || "
    "setweight(to_tsvector('hoitu_vi'::regconfig, coalesce(keywords, '')), 'B')"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE search_storyindex ADD COLUMN vector_lead tsvector "
            f"GENERATED ALWAYS AS ({LEAD}) STORED"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_storyindex DROP COLUMN IF EXISTS vector_lead")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_vietnamese_labels")]

    operations = [migrations.RunPython(forward, backward)]
