"""Reads of the CoReS (Regional Security Council): its meetings, decisions and who sees them.

The CSIR (coordinator and analyst) records the meetings and decisions; CoReS members and
mayors read them; nobody else does. A meeting someone may not read answers 404 like an
unknown one (DESIGN.md §5); the list page, which reveals no object, answers 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from coordination.models import CoresDecision, CoresMeeting
from coordination.strategy import selectors


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
