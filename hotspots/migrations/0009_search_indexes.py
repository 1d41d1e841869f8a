# ruff: noqa: E501 (the expressions are kept exactly as the search compiles them)
"""Expression GIN indexes for the search (issue 16), on PostgreSQL only.

Each index is built on exactly the text-search document the search filters on
(``coordination.regional.search.selectors.document``, written out here as SQL: a migration
does not import the search), so that ``document @@ query`` can use it instead of computing
``to_tsvector`` over every row. ``tests/regional/test_search_indexes.py`` checks that the
expressions still match and that the planner uses them. On SQLite this migration does
nothing (the search uses ``icontains`` there).
"""

from django.db import migrations

# (search kind, table, the document expression as the search compiles it)
INDEXES = [
    (
        "hotspot",
        "hotspots_hotspot",
        """((to_tsvector('french'::regconfig, COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("closure_reason", '') || ' ' || COALESCE("closure_reason_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("closure_reason", '') || ' ' || COALESCE("closure_reason_translation", ''))) || to_tsvector('simple'::regconfig, COALESCE("code", '') || ' ' || COALESCE("name_fr", '') || ' ' || COALESCE("name_nl", '')))""",
    ),
]


def _name(table: str) -> str:
    return f"{table}_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _kind, table, expression in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(table)}" ON "{table}" USING gin (({expression}))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _kind, table, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table)}"')


class Migration(migrations.Migration):
    dependencies = [("hotspots", "0008_order_register")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
