# ruff: noqa: E501 (the expressions are kept exactly as the search compiles them)
"""The search documents stored in a generated column, indexed (issue 16), on PostgreSQL only.

hotspots 0009 indexed the document as an expression: the index found the matching rows, but
ranking them recomputed ``to_tsvector`` for every match, so the search's cost grew with
the data. Here each document (the same expression, ``selectors.document`` written out as
SQL) is kept in the generated column ``search_document`` with a GIN index on it, and the
expression index is dropped; the search filters and ranks on the column
(``coordination.core.search_indexes.stored_operation``). On SQLite this migration does
nothing (the search uses ``icontains`` there). ``tests/regional/test_search_indexes.py``
checks that the expressions still match what the search compiles.

Police orders, searched until now without an index (their document reads their hotspot's
code), keep the part of their document that lies in their own table.
"""

from django.db import migrations

from coordination.core import search_indexes

# (search kind, table, the document expression as the search compiles it)
INDEXES = [
    (
        "hotspot",
        "hotspots_hotspot",
        """((to_tsvector('french'::regconfig, COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("closure_reason", '') || ' ' || COALESCE("closure_reason_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("closure_reason", '') || ' ' || COALESCE("closure_reason_translation", ''))) || to_tsvector('simple'::regconfig, COALESCE("code", '') || ' ' || COALESCE("name_fr", '') || ' ' || COALESCE("name_nl", '')))""",
    ),
    # A police order's texts only: its hotspot's code (another table) is added when
    # searching (``selectors.stored_document``). No expression index stood here before.
    (
        "police-order",
        "hotspots_policeorder",
        """(to_tsvector('french'::regconfig, COALESCE("title_fr", '') || ' ' || COALESCE("title_nl", '') || ' ' || COALESCE("measure_details", '') || ' ' || COALESCE("measure_details_translation", '') || ' ' || COALESCE("legal_reference", '') || ' ' || COALESCE("legal_reference_translation", '') || ' ' || COALESCE("signatory", '') || ' ' || COALESCE("signatory_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("title_fr", '') || ' ' || COALESCE("title_nl", '') || ' ' || COALESCE("measure_details", '') || ' ' || COALESCE("measure_details_translation", '') || ' ' || COALESCE("legal_reference", '') || ' ' || COALESCE("legal_reference_translation", '') || ' ' || COALESCE("signatory", '') || ' ' || COALESCE("signatory_translation", '')))""",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("hotspots", "0009_search_indexes")]

    operations = [
        search_indexes.stored_operation(INDEXES, without_expression_index=["police-order"])
    ]
