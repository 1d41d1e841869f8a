"""The stored, GIN-indexed documents of the search (issue 16), PostgreSQL only.

The documents (taskforces 0009, hotspots 0010, regional 0005; expression indexes before,
in taskforces 0008, hotspots 0009, regional 0004) are the search's document written out as
SQL and kept in a generated column: these tests check that it is still exactly what the
search compiles (``selectors.document``), that the columns and indexes exist, that the
planner uses them and that the results do not depend on them.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.sql import Query as SQLQuery

from coordination.core import search_indexes
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
    "taskforces.migrations.0009_search_indexes_tuned",
    "hotspots.migrations.0010_search_indexes_tuned",
    "coordination.regional.migrations.0005_search_indexes_tuned",
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
    expression = selectors.stored_document(provider, model).resolve_expression(query)
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
        "police-order",
    }
    for kind, table, expression in _indexes():
        assert _compiled(kind, _model(table)) == expression, kind


def test_the_indexed_kinds_are_the_stored_ones():
    """A provider searches a stored document exactly when a migration stores it."""
    indexed = {provider.key for provider in selectors.providers() if provider.indexed}
    assert indexed == {kind for kind, _table, _expr in _indexes()}
    for kind, table, _expression in _indexes():
        provider = selectors.provider(kind)
        assert provider is not None and provider.visible  # registered
        assert _model(table) is not None


def test_the_documents_are_stored_and_indexed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_gin"]
        )
        found = dict(cursor.fetchall())
        cursor.execute(
            "SELECT table_name, generation_expression FROM information_schema.columns "
            "WHERE column_name = %s AND is_generated = 'ALWAYS'",
            [search_indexes.COLUMN],
        )
        generated = dict(cursor.fetchall())
    for _kind, table, _expression in _indexes():
        definition = found[search_indexes.stored_index_name(table)]
        assert "USING gin (search_document)" in definition
        assert "to_tsvector('french'::regconfig" in generated[table]
        # The expression index it replaces is gone (one index to keep up on writes).
        assert search_indexes.index_name(table) not in found


def test_the_stored_document_is_the_computed_one(notes):
    """The generated column holds what the search's document computes, row for row."""
    provider = selectors.provider("action-update")
    assert provider is not None
    computed = dict(
        ActionUpdate.objects.annotate(doc=selectors.document(provider, ActionUpdate)).values_list(
            "pk", "doc"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {search_indexes.COLUMN}::text FROM taskforces_actionupdate"  # noqa: S608
        )
        stored = dict(cursor.fetchall())
    assert stored == computed


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
    assert "taskforces_actionupdate_search_document_gin" in plan, plan


def test_the_results_do_not_depend_on_the_index(notes):
    with_index = list(_search("perquisition").values_list("pk", flat=True))
    assert set(with_index) >= {notes[0].pk}
    with connection.cursor() as cursor:  # dropped inside the test's transaction only
        cursor.execute("DROP INDEX taskforces_actionupdate_search_document_gin")
    without = list(_search("perquisition").values_list("pk", flat=True))
    assert without == with_index


def test_a_page_is_the_same_slice_of_the_ranked_matches(notes, cast_for_pages):
    """Ranked and cut in a subquery, then joined and put in order again: the same rows in
    the same order as the plain ranked query, page after page."""
    provider = selectors.provider("action-update")
    query = selectors.parse("patrouille or perquisition")
    assert provider is not None and query is not None
    rows = ActionUpdate.objects.select_related("action__plan__taskforce__hotspot")
    everything = list(selectors.matching(rows, provider, query))
    assert len(everything) > 20
    for offset in (0, 7, 20, len(everything) - 3):
        page = selectors.ranked_page(rows, provider, query, offset, offset + 11)
        assert [row.pk for row in page] == [row.pk for row in everything[offset : offset + 11]]


@pytest.fixture
def cast_for_pages(notes):
    """Notes of different ranks (a word twice ranks higher) and equal ranks (order by
    date then id)."""
    update = ActionUpdate.objects.get(pk=notes[0].pk)
    for number in range(5):
        ActionUpdateFactory(
            action=update.action,
            author=update.author,
            comment=f"Patrouille, patrouille et patrouilles {number}.",
        )
