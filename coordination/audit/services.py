"""The audit trail: every service that changes governed data records one entry here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from coordination.audit.models import AuditEntry
from coordination.people.models import User


def _plain(value: Any) -> Any:
    """JSON-friendly form of a field value, so the trail stays readable in ten years."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of ``fields``, to diff against after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    police_judicial: bool = False,
) -> AuditEntry:
    """Write one audit entry; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        police_judicial=police_judicial,
    )
