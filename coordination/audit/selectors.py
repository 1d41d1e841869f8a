"""Reads of the audit trail: a readable, filterable history of who changed what and when.

Entries store changes as ``{field: [old, new]}`` (``audit.diff`` and status moves) or as
``{field: value}`` (what a creation set); :func:`change_lines` turns both into lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coordination.audit import sentences
from coordination.audit.models import AuditEntry
from coordination.audit.viewlog import VIEW_ACTION, via_label
from coordination.people import confidentiality
from coordination.people.models import User

# Fields whose value is a list by nature: a two-item list there is not an "old → new" pair.
COLLECTION_FIELDS = frozenset(
    {"communes", "phenomena", "taskforces", "measures", "partner_agencies", "attendees"}
)


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: str
    new: str
    is_change: bool  # "old → new", or just the value set


def _is_pair(field: str, value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    return field not in COLLECTION_FIELDS or all(isinstance(item, list) for item in value)


def change_lines(
    changes: dict[str, Any],
    model: type[models.Model] | None = None,
    objects: sentences.Objects | None = None,
) -> list[ChangeLine]:
    """The changes as lines in the reader's language: field labels of ``model`` (the
    target's), values shown by :func:`coordination.audit.sentences.show`."""
    found = objects or {}
    lines = []
    for field, value in (changes or {}).items():
        label = sentences.field_label(model, field)
        if _is_pair(field, value):
            old = sentences.show(model, field, value[0], found)
            new = sentences.show(model, field, value[1], found)
            lines.append(ChangeLine(label, old, new, True))
        else:
            lines.append(ChangeLine(label, "", sentences.show(model, field, value, found), False))
    return lines


def audit_entries(
    *,
    viewer: User,
    target_type: ContentType | None = None,
    target_id: str = "",
    actor: User | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    views_only: bool = False,
) -> QuerySet[AuditEntry]:
    """The trail as ``viewer`` may read it, newest first, filtered; one query per page.

    Entries about police-judicial items, and the log of who viewed them, follow the
    police-judicial rule (``coordination.people.confidentiality``).
    """
    entries = (
        AuditEntry.objects.filter(confidentiality.audit_visible(viewer))
        .select_related("actor__agency", "target_type")
        .order_by("-at", "-id")
    )
    if target_type is not None:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if actor is not None:
        entries = entries.filter(actor=actor)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    if views_only:
        entries = entries.filter(action=VIEW_ACTION, police_judicial=True)
    return entries


def view_lines(changes: dict[str, Any]) -> list[ChangeLine]:
    """A view of a police-judicial item: where it was seen, in the reader's language."""
    via = (changes or {}).get("via")
    return [ChangeLine(_("seen on"), "", via_label(str(via)), False)] if via else []


def with_lines(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Attach to each entry of a page, in the reader's language: ``sentence`` ("Claire
    Dubois published the report …"), ``target_name`` (the target named now, or as
    recorded if it is gone) and ``lines`` (the readable changes). One query per kind of
    object the page names, whatever the number of entries."""
    objects = sentences.fetch(sentences.wanted_refs(entries))
    for entry in entries:
        target = objects.get((entry.target_type_id, str(entry.target_id)))
        entry.target_name = sentences.name_of(target) if target is not None else entry.target_repr
        actor = entry.actor.get_full_name() or entry.actor.username if entry.actor else ""
        entry.sentence = sentences.sentence(
            entry.action, actor or str(_("The system")), entry.target_name
        )
        if entry.action == VIEW_ACTION and entry.police_judicial:
            entry.lines = view_lines(entry.changes)
        else:
            model = ContentType.objects.get_for_id(entry.target_type_id).model_class()
            entry.lines = change_lines(entry.changes, model, objects)
    return entries


def object_types() -> QuerySet[ContentType]:
    """The kinds of object the trail mentions (for the filter)."""
    used = AuditEntry.objects.values("target_type_id")
    return ContentType.objects.filter(pk__in=used).order_by("app_label", "model")


def actors() -> QuerySet[User]:
    """The people the trail mentions (for the filter)."""
    used = AuditEntry.objects.filter(actor__isnull=False).values("actor_id")
    return User.objects.filter(pk__in=used).order_by("last_name", "first_name", "username")
