"""Reads of task-force meetings and the calendar."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coordination.models import User
from taskforces import permissions
from taskforces.models import (
    Meeting,
    MeetingDecision,
    MeetingMinutes,
    MeetingParticipant,
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
        Meeting.objects.filter(
            taskforce=meeting.taskforce, starts_at__gt=meeting.starts_at, cancelled_at__isnull=True
        )
        .order_by("starts_at")
        .first()
    )
    participants = list(
        MeetingParticipant.objects.filter(meeting=meeting).select_related("user__agency")
    )
    versions = list(
        MeetingMinutes.objects.filter(meeting=meeting)
        .select_related("finalised_by")
        .order_by("-number")
    )
    final = next((v for v in versions if v.status == MeetingMinutes.Status.FINAL), None)
    draft = next((v for v in versions if v.status == MeetingMinutes.Status.DRAFT), None)
    now = timezone.now()
    mine = next((p for p in participants if p.user_id == user.pk), None)
    is_member = meeting.taskforce.memberships.filter(user=user).exists()
    return {
        "meeting": meeting,
        "taskforce": meeting.taskforce,
        "access": access,
        "points": list(
            MeetingPoint.objects.filter(meeting=meeting)
            .select_related("carried_from__meeting")
            .prefetch_related("carried_to__meeting")
        ),
        "decisions": decisions,
        "pending": [decision for decision in decisions if decision.action_pending],
        "participants": participants,
        "attendees": [
            p.user for p in participants if p.status == MeetingParticipant.Status.ATTENDED
        ],
        "my_participation": mine,
        "can_excuse": is_member
        and meeting.cancelled_at is None
        and meeting.starts_at > now
        and (mine is None or mine.status != MeetingParticipant.Status.EXCUSED),
        "minutes_final": final,
        "minutes_draft": draft,
        "minutes_history": [v for v in versions if v.status == MeetingMinutes.Status.FINAL][1:],
        "previous": previous,
        "following": following,
        "is_past": meeting.starts_at < now,
    }


def pending_decisions(user: User, taskforce: TaskForce) -> list[MeetingDecision]:
    """The decisions whose action waits for the plan (the plan page lists them)."""
    if not access_for(user, taskforce).can_view:
        return []
    return list(
        MeetingDecision.objects.filter(meeting__taskforce=taskforce, action_pending=True)
        .select_related("meeting", "proposed_lead_agency")
        .order_by("pk")
    )


def calendar_meetings(taskforce: TaskForce) -> list[Meeting]:
    return list(
        Meeting.objects.filter(taskforce=taskforce)
        .select_related("taskforce__hotspot")
        .order_by("starts_at")
    )
