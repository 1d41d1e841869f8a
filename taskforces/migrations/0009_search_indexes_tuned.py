# ruff: noqa: E501 (the expressions are kept exactly as the search compiles them)
"""The search documents stored in a generated column, indexed (issue 16), on PostgreSQL only.

taskforces 0008 indexed the document as an expression: the index found the matching rows, but
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
        "action",
        "taskforces_action",
        """(to_tsvector('french'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("deliverable", '') || ' ' || COALESCE("deliverable_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("description", '') || ' ' || COALESCE("description_translation", '') || ' ' || COALESCE("deliverable", '') || ' ' || COALESCE("deliverable_translation", '')))""",
    ),
    (
        "action-update",
        "taskforces_actionupdate",
        """(to_tsvector('french'::regconfig, COALESCE("comment", '') || ' ' || COALESCE("comment_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("comment", '') || ' ' || COALESCE("comment_translation", '')))""",
    ),
    (
        "meeting",
        "taskforces_meeting",
        """(to_tsvector('french'::regconfig, COALESCE("place", '') || ' ' || COALESCE("place_translation", '') || ' ' || COALESCE("agenda", '') || ' ' || COALESCE("agenda_translation", '') || ' ' || COALESCE("minutes", '') || ' ' || COALESCE("minutes_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("place", '') || ' ' || COALESCE("place_translation", '') || ' ' || COALESCE("agenda", '') || ' ' || COALESCE("agenda_translation", '') || ' ' || COALESCE("minutes", '') || ' ' || COALESCE("minutes_translation", '')))""",
    ),
    (
        "meeting-point",
        "taskforces_meetingpoint",
        """(to_tsvector('french'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("notes", '') || ' ' || COALESCE("notes_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("title", '') || ' ' || COALESCE("title_translation", '') || ' ' || COALESCE("notes", '') || ' ' || COALESCE("notes_translation", '')))""",
    ),
    (
        "meeting-decision",
        "taskforces_meetingdecision",
        """(to_tsvector('french'::regconfig, COALESCE("text", '') || ' ' || COALESCE("text_translation", '')) || to_tsvector('dutch'::regconfig, COALESCE("text", '') || ' ' || COALESCE("text_translation", '')))""",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("taskforces", "0008_search_indexes")]

    operations = [search_indexes.stored_operation(INDEXES)]
