"""Writes on task-force meetings: scheduling, minutes, open points, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import User
from taskforces import notifications
from taskforces.models import (
    Action,
    Meeting,
    MeetingDecision,
    MeetingPoint,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.plans import plan_of
from taskforces.services.actions import POLICE_JUDICIAL, action_create
from taskforces.services.translations import content_language

# --- Meetings -------------------------------------------------------------------------


def _require_scheduler(taskforce: TaskForce, by: User) -> None:
    """Meetings, minutes, points and decisions are kept by the chair, the coordinator and
    the CSIR: every service checks its actor, whoever calls it."""
    if not access_for(by, taskforce).can_schedule:
        raise PermissionDenied


@transaction.atomic
def meeting_create(
    *,
    taskforce: TaskForce,
    by: User,
    starts_at: dt.datetime,
    place: str,
    agenda: str = "",
    language: str | None = None,
) -> Meeting:
    """Schedule a meeting; the previous meeting's open points carry over, the members are told."""
    _require_scheduler(taskforce, by)
    bounds.check_date(starts_at, bounds.MEETING)
    meeting = Meeting.objects.create(
        taskforce=taskforce,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        language=content_language(language),
        created_by=by,
    )
    previous = (
        Meeting.objects.filter(taskforce=taskforce, starts_at__lt=starts_at)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at", "-pk")
        .first()
    )
    carried = []
    if previous is not None:
        carried = MeetingPoint.objects.bulk_create(
            MeetingPoint(
                meeting=meeting,
                title=point.title,
                title_translation=point.title_translation,
                language=point.language,
                is_open=True,
                carried_from=point,
            )
            for point in previous.points.filter(is_open=True)
        )
    audit.record(
        actor=by,
        action="meeting.create",
        target=meeting,
        changes={
            "starts_at": starts_at,
            "place": place,
            "language": meeting.language,
            "carried_points": len(carried),
        },
    )
    notifications.meeting_scheduled(meeting)
    return meeting


MEETING_FIELDS = [
    "starts_at",
    "place",
    "agenda",
    "minutes",
    # The language of the texts and their translations, audited like the rest.
    "language",
    *(f"{name}_translation" for name in Meeting.TRANSLATED_FIELDS),
]


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, attendees: Iterable[User] | None = None, **fields: Any
) -> Meeting:
    """Change the date, place, agenda or minutes, and record who attended."""
    _require_scheduler(meeting.taskforce, by)
    unknown = set(fields) - set(MEETING_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    if "starts_at" in fields and fields["starts_at"] != meeting.starts_at:
        # A meeting stored before the bounds existed keeps its date when only its minutes
        # or attendance change.
        bounds.check_date(fields["starts_at"], bounds.MEETING)
    if "language" in fields and not fields["language"]:
        del fields["language"]  # not sent: the texts keep their language
    if "language" in fields:
        fields["language"] = content_language(fields["language"])
    before = audit.snapshot(meeting, list(fields))
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(meeting, list(fields)))
    if attendees is not None:
        attendees = list(attendees)
        member_ids = set(meeting.taskforce.memberships.values_list("user_id", flat=True))
        if any(person.pk not in member_ids for person in attendees):
            raise ValidationError(_("Only members of the task force can be marked present."))
        old = sorted(meeting.attendees.values_list("username", flat=True))
        meeting.attendees.set(attendees)
        new = sorted(person.username for person in attendees)
        if old != new:
            changes["attendees"] = [old, new]
    if changes:
        audit.record(actor=by, action="meeting.update", target=meeting, changes=changes)
    return meeting


@transaction.atomic
def meeting_point_add(
    *, meeting: Meeting, by: User, title: str, notes: str = "", language: str | None = None
) -> MeetingPoint:
    _require_scheduler(meeting.taskforce, by)
    point = MeetingPoint.objects.create(
        meeting=meeting, title=title, notes=notes, language=content_language(language)
    )
    audit.record(actor=by, action="meeting.point_add", target=meeting, changes={"point": title})
    return point


@transaction.atomic
def meeting_point_set_open(*, point: MeetingPoint, by: User, is_open: bool) -> MeetingPoint:
    _require_scheduler(point.meeting.taskforce, by)
    if point.is_open != is_open:
        point.is_open = is_open
        point.save(update_fields=["is_open"])
        audit.record(
            actor=by,
            action="meeting.point_open" if is_open else "meeting.point_close",
            target=point.meeting,
            changes={"point": point.title},
        )
    return point


@transaction.atomic
def meeting_decision_add(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    action: Action | None = None,
    new_action: dict[str, Any] | None = None,
    language: str | None = None,
) -> MeetingDecision:
    """Record a decision, linked to the action it changes or to a new action it creates."""
    _require_scheduler(meeting.taskforce, by)
    if not text.strip():
        raise ValidationError(_("Write the decision."))
    if action is not None and action.plan.taskforce_id != meeting.taskforce_id:
        raise ValidationError(_("The action belongs to another task force."))
    language = content_language(language)
    if new_action:
        # The new action's title is written at the same time, in the same language.
        new_action = {"language": language, **new_action}
        action = action_create(plan=plan_of(meeting.taskforce), by=by, **new_action)
    decision = MeetingDecision.objects.create(
        meeting=meeting, text=text.strip(), language=language, action=action, created_by=by
    )
    audit.record(
        actor=by,
        action="meeting.decision",
        target=meeting,
        changes={"decision": decision.text, "action": action.pk if action else None},
        police_judicial=bool(action and action.confidentiality == POLICE_JUDICIAL),
    )
    return decision
