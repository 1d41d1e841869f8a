"""Reads of task-force meetings and the calendar."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coordination.models import User
from taskforces import permissions
from taskforces.models import (
    Meeting,
    MeetingPoint,
    TaskForce,
)
from taskforces.permissions import access_for

# --- Meetings -------------------------------------------------------------------------


def meeting_page(user: User, meeting: Meeting) -> dict[str, Any]:
    access = access_for(user, meeting.taskforce)
    plan = getattr(meeting.taskforce, "plan", None)
    visible_ids: set[int] = set()
    if plan is not None:
        visible_ids = set(permissions.visible_actions(user, plan).values_list("pk", flat=True))
    decisions = list(meeting.decisions.select_related("action", "created_by"))
    for decision in decisions:
        # A decision's text is the task force's; the action it names may be confidential.
        decision.visible_action = decision.action if decision.action_id in visible_ids else None
    previous = (
        Meeting.objects.filter(taskforce=meeting.taskforce, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )
    following = (
        Meeting.objects.filter(taskforce=meeting.taskforce, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )
    return {
        "meeting": meeting,
        "taskforce": meeting.taskforce,
        "access": access,
        "points": list(
            MeetingPoint.objects.filter(meeting=meeting).select_related("carried_from__meeting")
        ),
        "decisions": decisions,
        "attendees": list(meeting.attendees.select_related("agency")),
        "previous": previous,
        "following": following,
        "is_past": meeting.starts_at < timezone.now(),
    }


def calendar_meetings(taskforce: TaskForce) -> list[Meeting]:
    return list(
        Meeting.objects.filter(taskforce=taskforce)
        .select_related("taskforce__hotspot")
        .order_by("starts_at")
    )
