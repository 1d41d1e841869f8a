"""The expression GIN indexes of the search (issue 16), PostgreSQL only.

The indexes (taskforces 0008, hotspots 0009, regional 0004) are built on the search's
document written out as SQL: these tests check that it is still exactly what the search
compiles (``selectors.document``), that the indexes exist, that the planner uses them and
that the results do not depend on them.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.sql import Query as SQLQuery

from coordination.regional.search import selectors
from taskforces.models import ActionUpdate
from tests.factories_taskforces import ActionUpdateFactory, Cast

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="expression indexes exist on PostgreSQL only"
    ),
]

MIGRATIONS = (
    "taskforces.migrations.0008_search_indexes",
    "hotspots.migrations.0009_search_indexes",
    "coordination.regional.migrations.0004_search_indexes",
)


def _indexes() -> list[tuple[str, str, str]]:
    return [
        entry
        for module in MIGRATIONS
        for entry in importlib.import_module(module).INDEXES  # type: ignore[attr-defined]
    ]


def _model(table: str):
    return next(m for m in apps.get_models() if m._meta.db_table == table)


def _compiled(kind: str, model) -> str:
    """The document of the search kind ``kind`` as the search sends it, unqualified."""
    provider = selectors.provider(kind)
    assert provider is not None
    query = SQLQuery(model)
    expression = selectors.document(provider, model).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler(connection=connection), connection)
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    return text.replace(f'"{model._meta.db_table}".', "")


def test_the_indexed_expressions_are_the_searched_ones():
    assert {kind for kind, _table, _expr in _indexes()} == {
        "action",
        "action-update",
        "meeting",
        "meeting-point",
        "meeting-decision",
        "bulletin",
        "hotspot",
    }
    for kind, table, expression in _indexes():
        assert _compiled(kind, _model(table)) == expression, kind


def test_the_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_search_gin"]
        )
        found = dict(cursor.fetchall())
    for _kind, table, _expression in _indexes():
        definition = found[f"{table}_search_gin"]
        assert "USING gin" in definition
        assert "to_tsvector('french'::regconfig" in definition


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def notes(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst):
    cast = Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
    for number in range(60):
        ActionUpdateFactory(
            action=cast.security, author=cast.police, comment=f"Patrouille de routine {number}."
        )
    found = [
        ActionUpdateFactory(
            action=cast.security, author=cast.police, comment="Perquisition prévue."
        ),
        ActionUpdateFactory(
            action=cast.security, author=cast.police, comment="Huiszoeking gepland (perquisities)."
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE taskforces_actionupdate")
    return found


def _search(text: str):
    provider = selectors.provider("action-update")
    query = selectors.parse(text)
    assert provider is not None and query is not None
    return selectors.matching(ActionUpdate.objects.all(), provider, query)


def test_the_planner_uses_the_index(notes):
    plan = _plan(_search("perquisition").values("pk"))
    assert "taskforces_actionupdate_search_gin" in plan, plan


def test_the_results_do_not_depend_on_the_index(notes):
    with_index = list(_search("perquisition").values_list("pk", flat=True))
    assert set(with_index) >= {notes[0].pk}
    with connection.cursor() as cursor:  # dropped inside the test's transaction only
        cursor.execute("DROP INDEX taskforces_actionupdate_search_gin")
    without = list(_search("perquisition").values_list("pk", flat=True))
    assert without == with_index
