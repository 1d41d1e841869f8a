# ruff: noqa: E501 (the expressions are kept exactly as the search compiles them)
"""Expression GIN indexes for the search (issue 16), on PostgreSQL only.

Each index is built on exactly the text-search document the search filters on
(``coordination.regional.search.selectors.document``, written out here as SQL: a migration
does not import the search; ``coordination.core.search_indexes`` creates them), so that ``document @@ query`` can use it instead of computing
``to_tsvector`` over every row. ``tests/regional/test_search_indexes.py`` checks that the
expressions still match and that the planner uses them. On SQLite this migration does
nothing (the search uses ``icontains`` there).
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
    dependencies = [("regional", "0003_bulletin_life")]

    operations = [search_indexes.operation(INDEXES)]
