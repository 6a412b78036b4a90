"""The list's search box on PostgreSQL: the pairs of characters of each proposal's number
and title (ASCII letters lower-cased whatever the locale) in a generated column with a
GIN index (see proposals.filters.ProposalFilter.filter_search)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION proposal_bigrams(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT translate(substr($1, i, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') FROM generate_series(1, greatest(char_length($1) - 1, 1)) AS i
  ))
$$
"""
# Stored, so that a scan that reads every row compares a kept value instead of working
# the pairs out again (the list does not know this column: only PostgreSQL has it).
COLUMN = """
ALTER TABLE proposals_proposal ADD COLUMN search_pairs tsvector
GENERATED ALWAYS AS (proposal_bigrams(number || ' ' || title)) STORED
"""
INDEX = "CREATE INDEX proposal_search_pairs ON proposals_proposal USING gin (search_pairs)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(COLUMN)
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE proposals_proposal DROP COLUMN IF EXISTS search_pairs")
        schema_editor.execute("DROP FUNCTION IF EXISTS proposal_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0011_list_sorts"),
    ]

    operations = [migrations.RunPython(create, drop)]
