"""Who is told what about task forces.

The services call the event functions inside their own transaction (a rolled-back write
tells nobody); the 30-day reminder is run by its Celery task. Everything goes through the
notification centre (coordination.notifications.notify): each person sees it in the portal
and gets it by e-mail as they chose. Testable without Celery.

Police-judicial actions exist only for the police-judicial circle of the task force and
the CSIR coordinator (taskforces.permissions): a notice naming such an action goes to
nobody else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coordination.audit import services as audit
from coordination.models import AuditEntry, User
from coordination.notifications.models import Notification
from coordination.notifications.services import Attachment, notify, ref
from coordination.people import confidentiality
from coordination.people.permissions import CSIR_ROLES
from coordination.people.selectors import csir_people
from hotspots.models import Hotspot
from taskforces import ical, permissions
from taskforces.models import (
    Action,
    AnnexVersion,
    Escalation,
    Meeting,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.selectors import calendar as calendar_selectors

NO_MEETING_DAYS = 30
REMINDER_ACTION = "taskforce.no_meeting_reminder"
MANAGING_ROLES = [Membership.Role.CHAIR, Membership.Role.COORDINATOR]


def taskforce_params(taskforce: TaskForce) -> dict[str, str]:
    """The task force as each reader names it: HS10 Gare du Midi, or HS10 Zuidstation."""
    hotspot = taskforce.hotspot
    return {
        "taskforce": f"{hotspot.code} {hotspot.name_fr}",
        "taskforce_nl": f"{hotspot.code} {hotspot.name_nl}",
    }


# --- Who -------------------------------------------------------------------------------


def _people() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def csir_coordinators() -> QuerySet[User]:
    return _people().filter(role=User.Role.CSIR_COORDINATOR)


def members(taskforce: TaskForce) -> QuerySet[User]:
    return _people().filter(memberships__taskforce=taskforce)


def managers(taskforce: TaskForce) -> QuerySet[User]:
    """The chair(s) and coordinator(s) of the task force."""
    return _people().filter(memberships__taskforce=taskforce, memberships__role__in=MANAGING_ROLES)


def lead_agency_members(action: Action) -> QuerySet[User]:
    """The members representing the action's lead agency in its task force.

    For a police-judicial action, only those within the police-judicial circle (the lead
    agency of such an action is in the circle; this holds even if that ever changes).
    """
    # ``lead_agency_id`` may be None, which Django reads as IS NULL (the stubs refuse None).
    people = _people().filter(  # type: ignore[misc]
        memberships__taskforce_id=action.plan.taskforce_id,
        memberships__agency_id=action.lead_agency_id,
    )
    if confidentiality.is_confidential(action):
        people = people.filter(pk__in=permissions.circle_members(action.plan.taskforce))
    return people


def _recipients(taskforce: TaskForce) -> list[User]:
    """The chair(s) and coordinator(s) of the task force, and the CSIR."""
    people = _people().filter(
        Q(memberships__taskforce=taskforce, memberships__role__in=MANAGING_ROLES)
        | Q(role__in=CSIR_ROLES)
    )
    return list(people.distinct().order_by("pk"))


# --- Events, told inside the service's transaction -----------------------------------


def _plan_url(taskforce: TaskForce) -> str:
    return reverse("taskforces:plan", args=[taskforce.pk])


def plan_submitted(version: PlanVersion) -> int:
    """Tell the CSIR coordinator(s) that a plan awaits their review."""
    taskforce = version.plan.taskforce
    told = notify(
        recipients=csir_coordinators(),
        kind="plan_submitted",
        params=taskforce_params(taskforce),
        url=_plan_url(taskforce),
    )
    return len(told)


def plan_reviewed(version: PlanVersion) -> int:
    """Tell the chair(s) and coordinator(s) that the CSIR validated or returned the plan."""
    taskforce = version.plan.taskforce
    validated = version.state == PlanVersion.State.VALIDATED
    told = notify(
        recipients=managers(taskforce),
        kind="plan_validated" if validated else "plan_returned",
        params=taskforce_params(taskforce),
        url=_plan_url(taskforce),
    )
    return len(told)


def annex_submitted(version: AnnexVersion) -> int:
    """Tell the CSIR coordinator(s) that a police-judicial annex awaits their review."""
    taskforce = version.plan.taskforce
    told = notify(
        recipients=csir_coordinators(),
        kind="annex_submitted",
        params=taskforce_params(taskforce),
        url=_plan_url(taskforce),
    )
    return len(told)


def annex_reviewed(version: AnnexVersion) -> int:
    """Tell the circle of the task force that the CSIR validated or returned its annex.

    Only the circle: the others do not learn that the annex exists.
    """
    taskforce = version.plan.taskforce
    validated = version.state == AnnexVersion.State.VALIDATED
    told = notify(
        recipients=_people().filter(pk__in=permissions.circle_members(taskforce)),
        kind="annex_validated" if validated else "annex_returned",
        params=taskforce_params(taskforce),
        url=_plan_url(taskforce),
    )
    return len(told)


def _action_params(action: Action) -> dict[str, Any]:
    # The title in the reader's language when read (a translation added later shows too).
    return {**taskforce_params(action.plan.taskforce), "action": ref(action, "title")}


def action_escalated(escalation: Escalation) -> int:
    """Tell the CSIR; a police-judicial action only reaches the CSIR coordinator."""
    action = escalation.action
    confidential = confidentiality.is_confidential(action)
    told = notify(
        recipients=csir_coordinators() if confidential else csir_people(),
        kind="action_escalated",
        params=_action_params(action),
        url=reverse("taskforces:action", args=[action.pk]),
    )
    return len(told)


def escalation_resolved(escalation: Escalation) -> int:
    """Tell the members of the lead agency (within the circle, if police-judicial)."""
    action = escalation.action
    told = notify(
        recipients=lead_agency_members(action),
        kind="escalation_resolved",
        params=_action_params(action),
        url=reverse("taskforces:action", args=[action.pk]),
    )
    return len(told)


def _meeting_params(meeting: Meeting) -> dict[str, Any]:
    return {
        **taskforce_params(meeting.taskforce),
        "date": timezone.localdate(meeting.starts_at).isoformat(),
        "place": ref(meeting, "place"),
    }


def _to_come(meeting: Meeting) -> bool:
    """Only a meeting still to come (and not cancelled) is announced: nobody is told that
    a meeting recorded after it was held "meets on" a past date."""
    return meeting.cancelled_at is None and meeting.starts_at > timezone.now()


def meeting_scheduled(meeting: Meeting, people: Iterable[User] | None = None) -> int:
    """Invite ``people`` (default: every member of the task force): the date and the place,
    and by e-mail the calendar invitation (:func:`meeting_invitation`)."""
    if not _to_come(meeting):
        return 0
    told = notify(
        recipients=members(meeting.taskforce) if people is None else people,
        kind="meeting_scheduled",
        params=_meeting_params(meeting),
        url=reverse("taskforces:meeting", args=[meeting.pk]),
    )
    return len(told)


def _participants(meeting: Meeting) -> QuerySet[User]:
    return _people().filter(meeting_participations__meeting=meeting)


def meeting_moved(meeting: Meeting) -> int:
    """Tell the participants the new date or place (with the updated invitation)."""
    if not _to_come(meeting):
        return 0
    told = notify(
        recipients=_participants(meeting),
        kind="meeting_moved",
        params=_meeting_params(meeting),
        url=reverse("taskforces:meeting", args=[meeting.pk]),
    )
    return len(told)


def meeting_cancelled(meeting: Meeting) -> int:
    """Tell the participants that the meeting is cancelled (with the calendar CANCEL).

    A meeting of the past cancelled (a wrong entry) is told to nobody."""
    if meeting.starts_at <= timezone.now():
        return 0
    told = notify(
        recipients=_participants(meeting),
        kind="meeting_cancelled",
        params=_meeting_params(meeting),
        url=reverse("taskforces:meeting", args=[meeting.pk]),
    )
    return len(told)


MEETING_KINDS = ("meeting_scheduled", "meeting_moved", "meeting_cancelled")


def meeting_invitation(notification: Notification) -> list[Attachment]:
    """The ``.ics`` carried by the e-mail of a meeting notice (see
    ``coordination.notifications.services.add_attachments``), built at sending time from
    the meeting as it is then: a meeting moved again since carries its latest date, one
    cancelled since carries the CANCEL. Nothing for a recipient who may no longer see the
    meeting, nor for a meeting outside the writable range."""
    # The meeting is the object the "place" parameter refers to (see _meeting_params).
    place = (notification.params or {}).get("place")
    meeting_id = place.get("id") if isinstance(place, dict) else None
    if not isinstance(meeting_id, int):
        return []
    meeting = (
        Meeting.objects.select_related("taskforce__hotspot", "created_by")
        .filter(pk=meeting_id)
        .first()
    )
    person = notification.recipient
    if meeting is None or not ical.in_range(meeting.starts_at):
        return []
    if not permissions.access_for(person, meeting.taskforce).can_view:
        return []
    base = settings.PORTAL_BASE_URL.rstrip("/")
    content = ical.invitation(
        meeting,
        attendee=person,
        organizer=meeting.created_by,
        sequence=calendar_selectors.meeting_revision(meeting),
        url=base + reverse("taskforces:meeting", args=[meeting.pk]),
        host=urlsplit(base).hostname or "localhost",
    )
    method = ical.CANCEL if meeting.cancelled_at else ical.REQUEST
    return [(f"meeting-{meeting.pk}.ics", content, f"text/calendar; method={method}")]


# --- The 30-day reminder (Celery beat) ------------------------------------------------


def remind_no_meeting(now: dt.datetime) -> int:
    """Tell the task forces that have not met for 30 days, once per gap.

    The gap runs from the last meeting held (or the opening of the task force); a task
    force with a meeting already scheduled is not reminded. The reminder is recorded in
    the audit trail in the same transaction as the notifications: a re-run finds it and
    tells nobody until a new meeting opens a new gap. The chair(s), coordinator(s) and
    the CSIR are told; returns how many people were.
    """
    limit = now - dt.timedelta(days=NO_MEETING_DAYS)
    candidates = (
        TaskForce.objects.filter(
            hotspot__status__in=[Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE]
        )
        .select_related("hotspot")
        .annotate(
            # A cancelled meeting was not held and is not to come.
            last_met=Max(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__lte=now, meetings__cancelled_at__isnull=True),
            ),
            next_meeting=Min(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__gt=now, meetings__cancelled_at__isnull=True),
            ),
        )
        .order_by("pk")
    )
    content_type = ContentType.objects.get_for_model(TaskForce)
    told = 0
    for taskforce in candidates:
        since = taskforce.last_met or taskforce.created_at
        if since > limit or taskforce.next_meeting is not None:
            continue
        with transaction.atomic():
            # Lock the task force: two runs at once must not both tell.
            TaskForce.objects.select_for_update().get(pk=taskforce.pk)
            reminded = AuditEntry.objects.filter(
                action=REMINDER_ACTION,
                target_type=content_type,
                target_id=str(taskforce.pk),
                at__gte=since,
            ).exists()
            if reminded:
                continue
            days = (now - since).days
            audit.record(
                actor=None,
                action=REMINDER_ACTION,
                target=taskforce,
                changes={"last_meeting": taskforce.last_met, "days": days},
            )
            told += len(
                notify(
                    recipients=_recipients(taskforce),
                    kind="no_meeting",
                    params={**taskforce_params(taskforce), "days": days},
                    url=reverse("taskforces:detail", args=[taskforce.pk]),
                )
            )
    return told
