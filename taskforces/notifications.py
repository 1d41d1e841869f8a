"""Who is told what about task forces. Called by the Celery tasks; testable without Celery."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min, Q
from django.urls import reverse

from coordination import audit
from coordination.mail import send_to_people
from coordination.models import AuditEntry, User
from hotspots.models import Hotspot
from taskforces.models import Membership, TaskForce

NO_MEETING_DAYS = 30
REMINDER_ACTION = "taskforce.no_meeting_reminder"
MANAGING_ROLES = [Membership.Role.CHAIR, Membership.Role.COORDINATOR]


def _recipients(taskforce: TaskForce) -> list[User]:
    """The chair(s) and coordinator(s) of the task force, and the CSIR."""
    people = User.objects.filter(is_active=True).filter(
        Q(memberships__taskforce=taskforce, memberships__role__in=MANAGING_ROLES)
        | Q(role__in=[User.Role.CSIR_COORDINATOR, User.Role.CSIR_ANALYST])
    )
    return list(people.distinct().order_by("pk"))


def remind_no_meeting(now: dt.datetime) -> int:
    """E-mail the task forces that have not met for 30 days, once per gap.

    The gap runs from the last meeting held (or the opening of the task force); a task
    force with a meeting already scheduled is not reminded. The reminder is recorded in
    the audit trail in the same transaction as the sending: a re-run finds it and sends
    nothing until a new meeting opens a new gap. Returns how many e-mails were sent.
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
    sent = 0
    for taskforce in candidates:
        since = taskforce.last_met or taskforce.created_at
        if since > limit or taskforce.next_meeting is not None:
            continue
        with transaction.atomic():
            # Lock the task force: two runs at once must not both send.
            TaskForce.objects.select_for_update().get(pk=taskforce.pk)
            reminded = AuditEntry.objects.filter(
                action=REMINDER_ACTION,
                target_type=content_type,
                target_id=str(taskforce.pk),
                at__gte=since,
            ).exists()
            if reminded:
                continue
            audit.record(
                actor=None,
                action=REMINDER_ACTION,
                target=taskforce,
                changes={"last_meeting": taskforce.last_met, "days": (now - since).days},
            )
            sent += send_to_people(
                _recipients(taskforce),
                template="taskforces/email/no_meeting",
                context={
                    "taskforce": taskforce,
                    "hotspot": taskforce.hotspot,
                    "last_met": taskforce.last_met,
                    "days": (now - since).days,
                    "path": reverse("taskforces:detail", args=[taskforce.pk]),
                },
            )
    return sent
