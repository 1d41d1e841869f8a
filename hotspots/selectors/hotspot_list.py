"""Reads of the hotspot list over time: which hotspots were in force on a date and in
which phase, the changes with their sources, and the exit criteria with their status.

A hotspot's phase on a date is the one set by its last change in force by then (see
``HotspotListChange``); every read here costs a fixed number of queries, however long
the list and its history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from coordination.models import User
from hotspots.models import (
    ExitCriterion,
    ExitCriterionReview,
    Hotspot,
    HotspotListChange,
    HotspotPhase,
)
from hotspots.permissions import visible_hotspots

Phase = HotspotPhase
#: The phases of a hotspot on the list, in the order the pages and the report count them.
LISTED_PHASES = (Phase.INTENSIVE, Phase.HOLD)


@dataclass(frozen=True, slots=True)
class CriterionRow:
    criterion: ExitCriterion
    review: ExitCriterionReview | None

    @property
    def status(self) -> str:
        """``met``, ``not_met`` or ``not_reviewed`` (the latest review decides)."""
        if self.review is None:
            return "not_reviewed"
        return "met" if self.review.met else "not_met"


@dataclass(slots=True)
class Listed:
    """A hotspot on the list on a date: its phase, since when and by which change."""

    hotspot: Hotspot
    phase: str
    since: dt.date
    change: HotspotListChange
    criteria: list[CriterionRow] = field(default_factory=list)

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)


def _last_changes(
    on: dt.date, hotspots: QuerySet[Hotspot] | None = None
) -> list[HotspotListChange]:
    """The last change of each hotspot in force on ``on`` (one query)."""
    changes = HotspotListChange.objects.filter(in_force_on__lte=on)
    if hotspots is not None:
        changes = changes.filter(hotspot__in=hotspots)
    last: dict[int, HotspotListChange] = {}
    for change in changes.select_related(
        "hotspot", "cores_decision__meeting", "police_order"
    ).order_by("in_force_on", "id"):
        last[change.hotspot_id] = change
    return list(last.values())


def list_as_of(*, on: dt.date, hotspots: QuerySet[Hotspot] | None = None) -> list[Listed]:
    """The hotspots on the list on ``on``, by code, each with its phase (``hotspots``
    limits the answer to what a reader may see)."""
    rows = [
        Listed(hotspot=c.hotspot, phase=c.phase, since=c.in_force_on, change=c)
        for c in _last_changes(on, hotspots)
        if c.phase != Phase.EXITED
    ]
    return sorted(rows, key=lambda row: row.hotspot.code)


def hotspots_in_force(*, on: dt.date) -> list[Hotspot]:
    """The hotspots the strategy's list held on ``on``, by code."""
    return [row.hotspot for row in list_as_of(on=on)]


def phase_counts(*, on: dt.date, hotspots: QuerySet[Hotspot] | None = None) -> dict[str, int]:
    """How many hotspots were in each phase on ``on``: intensive, hold, and those taken
    off the list (``exited``), in that order, zeros included."""
    changes = HotspotListChange.objects.filter(in_force_on__lte=on)
    if hotspots is not None:
        changes = changes.filter(hotspot__in=hotspots)
    # The last change of each hotspot, as in ``_last_changes``, reading two columns only:
    # the overview counts on every request, its changes' sources are not shown there.
    last: dict[int, str] = dict(
        changes.order_by("in_force_on", "id").values_list("hotspot_id", "change")
    )
    after = HotspotListChange.PHASE_AFTER
    counts = {phase.value: 0 for phase in Phase}
    for change in last.values():
        counts[after[HotspotListChange.Change(change)]] += 1
    return counts


def with_criteria(rows: list[Listed], *, on: dt.date) -> list[Listed]:
    """Give each row its exit criteria with their latest review by ``on`` (two queries)."""
    reviews = ExitCriterionReview.objects.filter(reviewed_on__lte=on).select_related("meeting")
    criteria = (
        ExitCriterion.objects.filter(hotspot__in=[row.hotspot.pk for row in rows])
        .order_by("hotspot", "position", "id")
        .prefetch_related(
            Prefetch("reviews", queryset=reviews.order_by("-reviewed_on", "-id"), to_attr="seen")
        )
    )
    by_hotspot: dict[int, list[CriterionRow]] = {}
    for criterion in criteria:
        latest = criterion.seen[0] if criterion.seen else None
        by_hotspot.setdefault(criterion.hotspot_id, []).append(CriterionRow(criterion, latest))
    for row in rows:
        row.criteria = by_hotspot.get(row.hotspot.pk, [])
    return rows


def timeline(user: User) -> list[HotspotListChange]:
    """Every change of the list ``user`` may see, the latest first, with its source."""
    return list(
        HotspotListChange.objects.filter(hotspot__in=visible_hotspots(user))
        .select_related("hotspot", "cores_decision__meeting", "police_order", "recorded_by")
        .order_by("-in_force_on", "-id")
    )
