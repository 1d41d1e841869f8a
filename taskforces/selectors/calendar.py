"""Reads for the calendar feeds: the meetings a person may see, as they may see them.

The access rules are the pages' (``taskforces.permissions``), worked out at each request:
a person deactivated or removed from a task force stops seeing its meetings at once.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from coordination.audit.models import AuditEntry
from coordination.models import User
from coordination.people import confidentiality
from taskforces import ical, permissions
from taskforces.models import Meeting, MeetingDecision, TaskForce

# The audited changes that alter what a meeting's event says (its SEQUENCE).
REVISING_ACTIONS = ("meeting.update", "meeting.decision", "meeting.cancel")


def meeting_revision(meeting: Meeting) -> int:
    """The meeting's SEQUENCE, as the feeds count it: an invitation and the feed agree."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Meeting),
        target_id=str(meeting.pk),
        action__in=REVISING_ACTIONS,
    ).count()


def _meetings(taskforce_ids: QuerySet) -> QuerySet[Meeting]:
    revisions = (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Meeting),
            target_id=Cast(OuterRef("pk"), CharField()),
            action__in=REVISING_ACTIONS,
        )
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Meeting.objects.filter(
            taskforce__in=taskforce_ids,
            # In SQL, not in Python: PostgreSQL keeps BC dates that psycopg cannot read.
            starts_at__gte=ical.EARLIEST,
            starts_at__lt=ical.LATEST - ical.MEETING_LENGTH,
        )
        .select_related("taskforce__hotspot")
        .annotate(revision=Coalesce(Subquery(revisions, output_field=IntegerField()), Value(0)))
        .order_by("starts_at", "pk")
    )


def _entries(meetings: list[Meeting], *, sees_in: Collection[int] | None) -> list[ical.Entry]:
    """Attach the decisions; a police-judicial action is named only where the reader is in
    the circle (``sees_in``: the task-force ids, or None for everywhere), as on the page."""
    decisions: dict[int, list[MeetingDecision]] = {}
    for decision in (
        MeetingDecision.objects.filter(meeting__in=[meeting.pk for meeting in meetings])
        .select_related("action")
        .order_by("meeting", "pk")
    ):
        decisions.setdefault(decision.meeting_id, []).append(decision)
    entries = []
    for meeting in meetings:
        sees = sees_in is None or meeting.taskforce_id in sees_in
        seen, shown = [], []
        for decision in decisions.get(meeting.pk, []):
            action = decision.action
            if action is not None and confidentiality.is_confidential(action):
                if not sees:
                    action = None
                else:
                    shown.append(action)
            seen.append(ical.Decision(decision.text, action.title if action else None))
        entries.append(
            ical.Entry(
                meeting=meeting,
                revision=meeting.revision,  # type: ignore[attr-defined]
                decisions=tuple(seen),
                shown=tuple(shown),
            )
        )
    return entries


def person_entries(user: User) -> list[ical.Entry]:
    """The meetings of every task force ``user`` may see (all of them for the CSIR).

    Calendar apps poll this address from their own servers (Google, Microsoft, Apple) and
    keep what it says there, outside the portal's rules: it never names a police-judicial
    action, not even to the circle. The meeting page and the signed-in task-force feed do.
    """
    taskforces = permissions.visible_taskforces(user)
    meetings = list(_meetings(taskforces.values("pk")))
    return _entries(meetings, sees_in=set())


def taskforce_entries(user: User, taskforce: TaskForce) -> list[ical.Entry]:
    """The meetings of ``taskforce``, which ``user`` may see (checked by the caller)."""
    access = permissions.access_for(user, taskforce)
    sees_in = {taskforce.pk} if access.sees_police_judicial else set()
    meetings = list(_meetings(TaskForce.objects.filter(pk=taskforce.pk).values("pk")))
    return _entries(meetings, sees_in=sees_in)
