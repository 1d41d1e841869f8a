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
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coordination.audit import services as audit
from coordination.models import AuditEntry, User
from coordination.notifications.services import notify, ref
from coordination.people import confidentiality
from coordination.people.permissions import CSIR_ROLES
from coordination.people.selectors import csir_people
from hotspots.models import Hotspot
from taskforces import permissions
from taskforces.models import (
    Action,
    AnnexVersion,
    Escalation,
    Meeting,
    Membership,
    PlanVersion,
    TaskForce,
)

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


def meeting_scheduled(meeting: Meeting) -> int:
    """Tell every member of the task force the date and the place."""
    taskforce = meeting.taskforce
    told = notify(
        recipients=members(taskforce),
        kind="meeting_scheduled",
        params={
            **taskforce_params(taskforce),
            "date": timezone.localdate(meeting.starts_at).isoformat(),
            "place": ref(meeting, "place"),
        },
        url=reverse("taskforces:meeting", args=[meeting.pk]),
    )
    return len(told)


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
            last_met=Max("meetings__starts_at", filter=Q(meetings__starts_at__lte=now)),
            next_meeting=Min("meetings__starts_at", filter=Q(meetings__starts_at__gt=now)),
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
