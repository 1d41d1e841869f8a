"""The police-judicial rule, written once (DESIGN.md §5).

Items marked police-judicial (an action, an update, a note, a report version, and the audit
entries about them) exist only for the police-judicial circle of their task force and for
the CSIR coordinator; everyone else does not learn that they exist.

- Who is *in the circle* of a task force is a django-guardian object permission,
  ``taskforces.view_police_judicial`` on that task force, granted with the membership of a
  person whose agency is a police or a prosecutor's office (``CIRCLE_KINDS``). It is never
  implied by ``is_superuser``: the administrator is technical staff, not in the circle.
- The CSIR coordinator sees every circle's items (``sees_everywhere``).

Every selector, export, snapshot, notification, overview figure, audit view and the admin
asks this module; the callers only supply which task forces a person's circle covers
(``taskforces.permissions.circle_taskforces``), read from guardian.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from coordination.people.models import Agency, User
from coordination.people.permissions import is_csir_coordinator

# The value of every ``confidentiality`` field that marks a police-judicial item.
POLICE_JUDICIAL = "police_judicial"
# The object permission (on a task force) that puts a person in its circle.
CIRCLE_CODENAME = "view_police_judicial"
CIRCLE_PERM = f"taskforces.{CIRCLE_CODENAME}"
# Police and prosecutor agencies form the circle.
CIRCLE_KINDS = Agency.POLICE_JUDICIAL_KINDS


def agency_in_circle(agency: Agency) -> bool:
    """Whether members representing ``agency`` join the circle of their task force."""
    return agency.kind in CIRCLE_KINDS


def sees_everywhere(user: User | AnonymousUser) -> bool:
    """The CSIR coordinator sees the police-judicial items of every task force."""
    return is_csir_coordinator(user)


def sees_in(user: User | AnonymousUser, perms: Collection[str]) -> bool:
    """Whether ``user``, holding ``perms`` on one task force, sees its police-judicial items."""
    return sees_everywhere(user) or CIRCLE_CODENAME in perms


def is_confidential(item: Any) -> bool:
    """Whether an item (anything with a ``confidentiality`` field) is police-judicial."""
    return getattr(item, "confidentiality", None) == POLICE_JUDICIAL


def hidden(prefix: str = "") -> Q:
    """The condition of a police-judicial item (``prefix``: a path such as ``action__``)."""
    return Q(**{f"{prefix}confidentiality": POLICE_JUDICIAL})


def visible(*, sees: bool, prefix: str = "") -> Q:
    """Within one task force: everything for the circle, nothing confidential for others."""
    return Q() if sees else ~hidden(prefix)


def visible_updates(*, sees: bool) -> Q:
    """An update is hidden if it, or its action, is police-judicial."""
    return Q() if sees else ~hidden() & ~hidden("action__")


def visible_across(
    user: User | AnonymousUser, circle: QuerySet[Any], *, taskforce: str, prefix: str = ""
) -> Q:
    """Across task forces: police-judicial items only where ``user`` is in the circle.

    ``circle`` is the queryset of task-force ids (``circle_taskforces(user)``); ``taskforce``
    the path from the filtered model to its task force (``plan__taskforce``).
    """
    if sees_everywhere(user):
        return Q()
    return ~hidden(prefix) | Q(**{f"{taskforce}__in": circle})


def sees_audit_entries(user: User | AnonymousUser) -> bool:
    """Audit entries about police-judicial items, and the log of who viewed them."""
    return sees_everywhere(user)


def audit_visible(user: User | AnonymousUser) -> Q:
    """The audit entries ``user`` may read (lists, searches, the admin)."""
    return Q() if sees_audit_entries(user) else Q(police_judicial=False)
