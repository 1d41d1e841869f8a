"""Reads of the CoReS (Regional Security Council): its meetings, decisions and who sees them.

The CSIR (coordinator and analyst) records the meetings and decisions; CoReS members and
mayors read them; nobody else does. A meeting someone may not read answers 404 like an
unknown one (DESIGN.md §5); the list page, which reveals no object, answers 403.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from coordination.models import CoresDecision, CoresMeeting, User
from coordination.people import permissions as policy
from coordination.strategy import selectors

CoresPerm = Literal["view", "record"]


def can_read_cores(user: User | AnonymousUser) -> bool:
    """The CSIR works on the CoReS' record; CoReS members and mayors read it."""
    return policy.can_read_regional_overview(user)


def can_record_cores(user: User | AnonymousUser) -> bool:
    """Only the CSIR (coordinator and analyst) records meetings and decisions."""
    return policy.is_csir(user)


def get_cores_meeting_for(user: User, pk: int, perm: CoresPerm = "view") -> CoresMeeting:
    """The meeting ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    if not can_read_cores(user):
        raise Http404
    meeting = CoresMeeting.objects.select_related("created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if perm == "record" and not can_record_cores(user):
        raise PermissionDenied
    return meeting


def meeting_list() -> QuerySet[CoresMeeting]:
    """Every meeting, newest first, with its decisions' kinds; two queries in all."""
    return (
        CoresMeeting.objects.annotate(decision_count=Count("decisions"))
        .prefetch_related("decisions")
        .order_by("-held_on", "-id")
    )


def decisions_of(meeting: CoresMeeting) -> list[CoresDecision]:
    return list(
        CoresDecision.objects.filter(meeting=meeting)
        .select_related("period__strategy", "created_by")
        .order_by("id")
    )


def meeting_page(meeting: CoresMeeting) -> dict[str, Any]:
    """What a meeting's page shows: the meeting, its decisions, the strategy's status."""
    return {
        "meeting": meeting,
        "attendees": [line.strip() for line in meeting.attendees.splitlines() if line.strip()],
        "decisions": decisions_of(meeting),
        "summary": selectors.strategy_summary(),
    }
