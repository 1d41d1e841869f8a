"""A number that changes whenever the portal's data changes, kept by the database itself.

The page cache (:mod:`coordination.core.pagecache`) keys each entry on it: a page
rendered before a write is never served after it. The database counts the writes, not
the application, so that no path can forget to: services, the admin, ``QuerySet.update``,
bulk imports, data migrations, a shell, another process or another machine.

* **PostgreSQL**: a sequence, ``portal_data_version``, advanced by a trigger on every
  table of the governed models twice per written row: once when the statement runs
  (a request inside the same transaction, such as a test's, sees it at once) and once
  when the transaction commits (a deferred constraint trigger), so that a page read by
  another transaction between the write and its commit, rendered from the data before
  it, is keyed on a number that no longer holds once the commit is visible. A sequence
  takes no row lock: concurrent writers never wait on it or deadlock through it.
  ``TRUNCATE`` advances it too (a statement trigger).
* **SQLite** (``make run``): a one-row table updated by triggers inside the writing
  transaction; SQLite's single writer makes the number and the data commit together.
* Other databases: no number (:func:`current` returns ``None``) and nothing is cached.

The triggers are installed after every ``migrate`` (``post_migrate``, :func:`install`),
on the tables of every model then installed, less :data:`IGNORED`: rows written while
*reading* (the view log of police-judicial items, the workers' heartbeats and job runs,
the outbox, the calendar feeds' last poll), which would otherwise change the number on
every page view and which no cached page shows. An update of only the columns of
:data:`UNCOUNTED_COLUMNS` does not count either (``last_login``, written at each sign-in:
a morning's sign-ins would otherwise make everyone's pages be rendered again).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import nullcontext

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

#: The apps whose tables count (Django's auth and guardian: people and permissions).
APPS = (
    "auth",
    "guardian",
    "coordination",
    "accounts",
    "attachments",
    "hotspots",
    "taskforces",
    "reporting",
    "regional",
)
#: Models written when pages are read or by the machinery, never shown on a cached page.
IGNORED = frozenset(
    {
        "coordination.auditentry",  # the view log of police-judicial items, audit rows
        "coordination.jobrun",  # heartbeats and job runs
        "coordination.outboxmessage",
        "coordination.calendarfeed",  # last poll of a calendar address
    }
)

#: Columns whose change alone does not count: written by signing in, on no page.
UNCOUNTED_COLUMNS = {"coordination.user": ("last_login",)}

SEQUENCE = "portal_data_version"
TRIGGER = "portal_data_version"
TRIGGER_AT_COMMIT = "portal_data_version_commit"
TRIGGER_TRUNCATE = "portal_data_version_truncate"
FUNCTION = "portal_data_version_next"


def tables() -> list[str]:
    """The tables whose writes change the number."""
    names: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in APPS or meta.proxy or not meta.managed:
            continue
        if meta.label_lower in IGNORED:
            continue
        names.add(meta.db_table)
    return sorted(names)


def _update_columns(connection: BaseDatabaseWrapper, table: str) -> list[str] | None:
    """The columns whose update counts on ``table``; ``None`` for all of them."""
    skipped: tuple[str, ...] = ()
    for label, columns in UNCOUNTED_COLUMNS.items():
        if apps.get_model(label)._meta.db_table == table:
            skipped = columns
    if not skipped:
        return None
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    return [column.name for column in described if column.name not in skipped]


def _update_event(connection: BaseDatabaseWrapper, columns: list[str] | None) -> str:
    if columns is None:
        return "UPDATE"
    return "UPDATE OF " + ", ".join(connection.ops.quote_name(c) for c in columns)


def current(connection: BaseDatabaseWrapper = default_connection) -> int | None:
    """The data version now (one cheap query), or ``None`` where there is none: another
    database, or a database not migrated since this module came (no number, no cache;
    inside a transaction the failed read is rolled back to a savepoint)."""
    if connection.vendor == "postgresql":
        sql = f"SELECT last_value FROM {SEQUENCE}"  # noqa: S608 - a constant
    elif connection.vendor == "sqlite":
        sql = f"SELECT value FROM {SEQUENCE} WHERE id = 1"  # noqa: S608 - a constant
    else:
        return None
    try:
        with (
            transaction.atomic(using=connection.alias)
            if connection.in_atomic_block
            else nullcontext(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("No data version (run migrate): pages are not cached", exc_info=True)
        return None
    return int(row[0]) if row else None


def install(
    connection: BaseDatabaseWrapper = default_connection, names: Iterable[str] | None = None
) -> int:
    """Create the number and the triggers missing on ``names`` (default :func:`tables`).

    Idempotent; returns the number of tables given triggers now.
    """
    names = list(tables() if names is None else names)
    existing = set(connection.introspection.table_names())
    names = [name for name in names if name in existing]
    if connection.vendor == "postgresql":
        return _install_postgresql(connection, names)
    if connection.vendor == "sqlite":
        return _install_sqlite(connection, names)
    return 0


def _install_postgresql(connection: BaseDatabaseWrapper, names: list[str]) -> int:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM nextval('{SEQUENCE}');
                    RETURN NULL;
                END $$"""
        )
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND c.relnamespace = 'public'::regnamespace",
            [TRIGGER_AT_COMMIT],
        )
        done = {row[0] for row in cursor.fetchall()}
        added = 0
        for name in names:
            columns = _update_columns(connection, name)
            if name in done and columns is None:
                continue
            table = quote(name)
            if columns is not None:
                # Made again at every migrate: the columns that count may have changed.
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_AT_COMMIT} ON {table}")
            update = _update_event(connection, columns)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER_TRUNCATE} AFTER TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
            # Last: its presence says the table is done (a constraint trigger cannot be
            # replaced, hence the check above).
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER_AT_COMMIT} AFTER INSERT OR {update} "
                f"OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION {FUNCTION}()"
            )
            added += name not in done
    return added


def _install_sqlite(connection: BaseDatabaseWrapper, names: list[str]) -> int:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SEQUENCE} "
            "(id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"
        )
        cursor.execute(f"INSERT OR IGNORE INTO {SEQUENCE} (id, value) VALUES (1, 0)")  # noqa: S608
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{TRIGGER}_%"],
        )
        done = {row[0] for row in cursor.fetchall()}
        added = 0
        for name in names:
            columns = _update_columns(connection, name)
            if name in done and columns is None:
                continue
            for event in ("INSERT", "UPDATE", "DELETE"):
                trigger = quote(f"{TRIGGER}_{event.lower()}_{name}")
                if event == "UPDATE" and columns is not None:
                    # Made again at every migrate: the columns that count may have changed.
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    event = _update_event(connection, columns)
                # Names quoted by the backend, from the models' tables: no input.
                sql = (
                    f"CREATE TRIGGER IF NOT EXISTS {trigger} AFTER {event} ON {quote(name)} "  # noqa: S608
                    f"BEGIN UPDATE {SEQUENCE} SET value = value + 1 WHERE id = 1; END"
                )
                cursor.execute(sql)
            added += name not in done
    return added


def install_after_migrate(*, using: str = "default", **_kwargs: object) -> None:
    """``post_migrate`` receiver: the triggers on every table the migration left."""
    from django.db import connections

    added = install(connections[using])
    if added:
        logger.info("Data version triggers installed on %s tables", added)
