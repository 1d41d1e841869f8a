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
    dependencies = [("taskforces", "0007_action_evaluation")]

    operations = [search_indexes.operation(INDEXES)]
