# ruff: noqa: E501 (the expressions are kept exactly as the search compiles them)
"""The search documents stored in a generated column, indexed (issue 16), on PostgreSQL only.

regional 0004 indexed the document as an expression: the index found the matching rows, but
ranking them recomputed ``to_tsvector`` for every match, so the search's cost grew with
the data. Here each document (the same expression, ``selectors.document`` written out as
SQL) is kept in the generated column ``search_document`` with a GIN index on it, and the
expression index is dropped; the search filters and ranks on the column
(``coordination.core.search_indexes.stored_operation``). On SQLite this migration does
nothing (the search uses ``icontains`` there). ``tests/regional/test_search_indexes.py``
checks that the expressions still match what the search compiles.
"""

from django.db import migrations

from coordination.core import search_indexes

# (search kind, table, the document expression as the search compiles it)
INDEXES = [
    (
        "bulletin",
        "regional_bulletin",
        """(to_tsvector('french'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("body", '') || ' ' || COALESCE("body_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("body", '') || ' ' || COALESCE("body_translation", '')))""",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("regional", "0004_search_indexes")]

    operations = [search_indexes.stored_operation(INDEXES)]
