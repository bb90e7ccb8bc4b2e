"""PostgreSQL full text for the story index (skipped on SQLite, where the folded columns
and LIKE do the matching).

- `unaccent` and `pg_trgm` extensions;
- text search configuration `hoitu_vi`: the `simple` parser and dictionary behind the
  `unaccent` filter, so "Hóa", "hoa" and "HOA" meet (unaccent's rules map đ → d too);
- generated tsvector columns: `vector_folded` (hoitu_vi: what matches) and `vector_exact`
  (simple: what ranks an exact-diacritics match higher), weighted headline A,
  standfirst B, tags and place B, body C; GIN indexes on both;
- a trigram GIN index on the vocabulary's folded words for "did you mean"."""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('{cfg}'::regconfig, coalesce(headline, '')), 'A') || "
    "setweight(to_tsvector('{cfg}'::regconfig, coalesce(standfirst, '')), 'B') || "
    "setweight(to_tsvector('{cfg}'::regconfig, coalesce(keywords, '')), 'B') || "
    "setweight(to_tsvector('{cfg}'::regconfig, coalesce(body, '')), 'C')"
)

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'hoitu_vi') THEN
            CREATE TEXT SEARCH CONFIGURATION hoitu_vi (COPY = pg_catalog.simple);
            ALTER TEXT SEARCH CONFIGURATION hoitu_vi
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END
    $$
    """,
    "ALTER TABLE search_storyindex ADD COLUMN vector_folded tsvector "
    f"GENERATED ALWAYS AS ({VECTOR.format(cfg='hoitu_vi')}) STORED",
    "ALTER TABLE search_storyindex ADD COLUMN vector_exact tsvector "
    f"GENERATED ALWAYS AS ({VECTOR.format(cfg='simple')}) STORED",
    "CREATE INDEX search_storyindex_vector_folded ON search_storyindex USING gin (vector_folded)",
    "CREATE INDEX search_storyindex_vector_exact ON search_storyindex USING gin (vector_exact)",
    "CREATE INDEX search_searchterm_folded_trgm ON search_searchterm "
    "USING gin (folded gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS search_searchterm_folded_trgm",
    "ALTER TABLE search_storyindex DROP COLUMN IF EXISTS vector_exact",
    "ALTER TABLE search_storyindex DROP COLUMN IF EXISTS vector_folded",
    # The configuration and extensions may serve others: left in place.
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_story_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
