"""Reads of the briefing pages: the list, a briefing's decisions and its PDFs."""

from __future__ import annotations

from coordination.models import User
from reporting.briefings.permissions import visible_briefings
from reporting.models import Briefing, BriefingDecisionAsked, Report
from reporting.permissions import visible_reports


def briefing_list(user: User) -> list[Briefing]:
    """The briefings ``user`` may see, newest period first, in one query."""
    return list(
        visible_briefings(user)
        .select_related("meeting", "created_by", "frozen_by")
        .defer("snapshot")
        .order_by("-period_end", "-pk")[:200]
    )


def decisions_of(briefing: Briefing) -> list[BriefingDecisionAsked]:
    """Its decisions asked: the region's first, then by hotspot code, in their order."""
    return sorted(
        briefing.decisions.select_related("hotspot", "order"),
        key=lambda d: (d.hotspot is not None, d.hotspot.code if d.hotspot else "", d.position),
    )


def pdfs_of(user: User, briefing: Briefing) -> list[Report]:
    """Its PDFs (reports of kind "briefing") that ``user`` may see, latest versions first."""
    return list(
        visible_reports(user)
        .filter(briefing=briefing)
        .defer("snapshot")
        .order_by("audience", "language", "-version")
    )
