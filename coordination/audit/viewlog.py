"""Who viewed police-judicial items: written where such an item is shown (DESIGN.md §5).

The audit trail records changes; for police-judicial actions, updates and notes it also
records each view, so that the CSIR coordinator can tell who saw what and when. Callers
(the task-force pages) call :func:`record_view` after the access check let the person in.
"""

from __future__ import annotations

from django.db import models

from coordination.audit import services as audit
from coordination.audit.models import AuditEntry
from coordination.people.models import User

VIEW_ACTION = "view"


def record_view(*, actor: User, target: models.Model) -> AuditEntry:
    """Record that ``actor`` viewed the police-judicial item ``target``; one insert."""
    return audit.record(actor=actor, action=VIEW_ACTION, target=target, police_judicial=True)
