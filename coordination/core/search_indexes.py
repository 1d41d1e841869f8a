"""Expression GIN indexes for the search, created by migrations on PostgreSQL only.

Each app's migration lists its ``INDEXES`` — (search kind, table, the text-search document
exactly as ``coordination.regional.search.selectors.document`` compiles it) — and hands
them to :func:`operation`. On SQLite nothing is created (the search uses ``icontains``
there). ``tests/regional/test_search_indexes.py`` checks that the expressions still match
what the search compiles and that the planner uses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

Index = tuple[str, str, str]


def index_name(table: str) -> str:
    return f"{table}_search_gin"


def operation(indexes: Sequence[Index]) -> migrations.RunPython:
    """The migration operation that creates ``indexes`` (and drops them when reversed)."""

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _kind, table, expression in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table)}" '
                f'ON "{table}" USING gin (({expression}))'
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _kind, table, _expression in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table)}"')

    return migrations.RunPython(create, drop, elidable=False)
