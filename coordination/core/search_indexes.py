"""Text-search documents and their GIN indexes, created by migrations on PostgreSQL only.

Each app's migration lists its ``INDEXES`` — (search kind, table, the text-search document
exactly as ``coordination.regional.search.selectors.document`` compiles it) — and hands
them to an operation here. On SQLite nothing is created (the search uses ``icontains``
there). ``tests/regional/test_search_indexes.py`` checks that the expressions still match
what the search compiles and that the planner uses the indexes.

- :func:`operation` (taskforces 0008, hotspots 0009, regional 0004): an expression GIN
  index on the document. The index finds the matching rows, but ranking them recomputes
  ``to_tsvector`` for every match: the cost grew with the data (issue 16).
- :func:`stored_operation` (taskforces 0009, hotspots 0010, regional 0005): the document
  kept in a generated column, :data:`COLUMN` (``GENERATED ALWAYS AS (…) STORED``:
  PostgreSQL computes it on every write, Django never reads or writes it), with a GIN
  index on that column; the expression index is dropped. The search filters and ranks on
  the column (``selectors.StoredDocument``), so a match costs no text parsing. A column
  the document reads cannot change type while the generated column uses it: drop the
  column (reverse this operation), change the field, and store the new document in a
  new migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

Index = tuple[str, str, str]

#: The generated column holding a table's text-search document.
COLUMN = "search_document"


def index_name(table: str) -> str:
    return f"{table}_search_gin"


def stored_index_name(table: str) -> str:
    return f"{table}_{COLUMN}_gin"


def _create_expression_index(schema_editor: Any, table: str, expression: str) -> None:
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{index_name(table)}" ON "{table}" USING gin (({expression}))'
    )


def operation(indexes: Sequence[Index]) -> migrations.RunPython:
    """The migration operation that creates ``indexes`` (and drops them when reversed)."""

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _kind, table, expression in indexes:
            _create_expression_index(schema_editor, table, expression)

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _kind, table, _expression in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table)}"')

    return migrations.RunPython(create, drop, elidable=False)


def stored_operation(
    indexes: Sequence[Index], *, without_expression_index: Sequence[str] = ()
) -> migrations.RunPython:
    """The migration operation that stores each document in :data:`COLUMN`, indexed, in
    place of its expression index (reversed: the expression index again, except for the
    kinds in ``without_expression_index``, which had none)."""

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _kind, table, expression in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table)}"')
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{COLUMN}" tsvector '
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{stored_index_name(table)}" '
                f'ON "{table}" USING gin ("{COLUMN}")'
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for kind, table, expression in indexes:
            schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{COLUMN}"')
            if kind not in without_expression_index:
                _create_expression_index(schema_editor, table, expression)

    return migrations.RunPython(create, drop, elidable=False)
