"""Reads of the regional overview: every hotspot on one screen (issue 5).

The page costs the same number of queries whatever the number of hotspots: one query for
the hotspots (with their plan and last meeting as subqueries) and its two prefetches, one
aggregate of the actions grouped by hotspot and axis, one of the police orders grouped by
hotspot, the indicator definitions and one query for six months of indicator values, and
the balance of the axes of every task force (``taskforces.selectors.balance``, three
queries). The rows are then assembled in Python.

The action figures go through :func:`counted_actions`, the overview's form of the
police-judicial rule of ``taskforces.permissions``: police-judicial actions are counted
only for the CSIR coordinator and, in a task force, for its police-judicial circle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from coordination.core import charts
from coordination.core.bounds import parse_id
from coordination.models import Axis, Commune, PoliceZone, User
from coordination.people import confidentiality
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue, MayorDecision, PoliceOrder
from hotspots.permissions import visible_hotspots
from hotspots.selectors.hotspots import for_lists, police_zones_of
from hotspots.selectors.indicators import add_months, last_complete_month
from taskforces.models import Action, Escalation, Meeting, PlanVersion
from taskforces.permissions import circle_ids, visible_taskforces
from taskforces.selectors.actions import late_condition
from taskforces.selectors.balance import Balance, Thresholds, balances_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _HotspotAnnotations(TypedDict):
        taskforce_pk: int | None
        plan_number: int | None
        plan_state: str | None
        last_meeting: dt.datetime | None


# A task force that has not met for longer than this is flagged on the overview.
MEETING_WARNING_DAYS = 30
# Police orders whose last valid day falls within this many days are highlighted.
EXPIRY_WARNING_DAYS = 14
# The table shows this many hotspots, then a "more" link adds as many again (``?pages=``):
# the work per row (decisions, trends, balance, HTML) stays the same whatever the region.
OVERVIEW_PAGE = 20
# At most this many pages (``?pages=``), whatever the address asks for.
MAX_PAGES = 100

ActionStatus = Action.Status
Decision = MayorDecision.Decision


# --- Filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilters:
    """The GET filters of the page; unknown values are dropped, never an error."""

    commune: str = ""
    zone: str = ""
    status: str = ""
    axis: str = ""
    # How many pages of rows the table shows (``OVERVIEW_PAGE`` each).
    pages: int = 1

    @property
    def limit(self) -> int:
        return self.pages * OVERVIEW_PAGE

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> OverviewFilters:
        commune = params.get("commune", "").strip()
        zone = params.get("zone", "").strip()
        status = params.get("status", "")
        axis = params.get("axis", "")
        pages = params.get("pages", "")
        return cls(
            commune=commune if parse_id(commune) else "",
            zone=zone if parse_id(zone) else "",
            status=status if status in Hotspot.Status.values else "",
            axis=axis if axis in Axis.values else "",
            pages=min(max(int(pages), 1), MAX_PAGES)
            if len(pages) <= 3 and pages.isascii() and pages.isdigit()
            else 1,
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "commune": self.commune,
            "zone": self.zone,
            "status": self.status,
            "axis": self.axis,
        }

    def more_query(self) -> str:
        """The query string of the "more" link: these filters and one page more."""
        params = {name: value for name, value in self.as_dict().items() if value}
        return urlencode({**params, "pages": str(self.pages + 1)})


def filter_choices() -> dict:
    """The options of the filter form (two queries)."""
    return {
        "communes": list(Commune.objects.defer("boundary").order_by("name_fr")),
        "zones": list(PoliceZone.objects.order_by("number")),
        "statuses": Hotspot.Status.choices,
        "axes": Axis.choices,
    }


# --- The police-judicial rule, across task forces ---------------------------------------


def counted_actions(user: User) -> Q:
    """The actions whose figures ``user`` may read on the overview.

    The same rule as ``taskforces.permissions.action_filter``, for every task force at
    once: the CSIR coordinator counts everything; anybody else (CSIR analyst, CoReS
    member, mayor) counts police-judicial actions only in task forces where they belong to
    the police-judicial circle, and otherwise does not learn that they exist.
    """
    return confidentiality.visible_across(user, circle_ids(user), taskforce="plan__taskforce")


# --- Rows -----------------------------------------------------------------------------


@dataclass
class AxisFigures:
    axis: str
    label: str
    count: int = 0  # non-cancelled actions
    average: int = 0  # average progress of those, in %
    late: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class IndicatorTrend:
    indicator: IndicatorDefinition
    direction: charts.Trend
    # True when the change is for the better, False for the worse, None when flat.
    improving: bool | None


@dataclass
class OverviewRow:
    hotspot: Hotspot
    zones: list[PoliceZone]
    decisions: list[MayorDecision]
    approved: int
    rejected: int
    plan_number: int | None
    plan_state: str
    plan_state_label: str
    plan_url: str
    has_taskforce: bool
    progress: list[AxisFigures]
    late: int
    escalated: int
    last_meeting: dt.datetime | None
    days_since_meeting: int | None
    meeting_overdue: bool
    orders_local: int
    orders_regional: int
    orders_expiring: int
    trends: list[IndicatorTrend] = field(default_factory=list)
    # The balance of the axes of the task force (all three axes, whatever the axis filter),
    # and the link to it on the task force's page when the reader may open that page.
    balance: Balance | None = None
    balance_url: str = ""

    @property
    def orders_in_force(self) -> int:
        return self.orders_local + self.orders_regional

    @property
    def improving(self) -> list[IndicatorTrend]:
        return [t for t in self.trends if t.improving is True]

    @property
    def worsening(self) -> list[IndicatorTrend]:
        return [t for t in self.trends if t.improving is False]

    @property
    def stable(self) -> list[IndicatorTrend]:
        return [t for t in self.trends if t.improving is None]


@dataclass
class Overview:
    filters: OverviewFilters
    # The rows shown: the first ``filters.limit`` hotspots by code.
    rows: list[OverviewRow]
    axes: list[tuple[str, str]]
    today: dt.date
    # The settings of the balance of the axes (the column's heading names the window).
    balance_limits: Thresholds | None = None
    # Every hotspot matching the filters (the map draws them all) and the caption's
    # totals over all of them, not only over the rows shown.
    hotspots: list[Hotspot] = field(default_factory=list)
    late: int = 0
    escalated: int = 0
    orders_expiring: int = 0

    @property
    def total(self) -> int:
        return len(self.hotspots)

    @property
    def more(self) -> bool:
        """Whether a "more" link adds rows (some matching hotspots are not shown)."""
        return len(self.rows) < len(self.hotspots)

    @property
    def imbalanced(self) -> int:
        """The task forces with an axis-balance warning, among the rows shown."""
        return sum(1 for row in self.rows if row.balance and row.balance.warnings)


def _hotspots(
    user: User, filters: OverviewFilters
) -> list[WithAnnotations[Hotspot, _HotspotAnnotations]]:
    """The visible hotspots matching the filters, with plan and last meeting (1 query;
    :func:`_with_details` reads the communes and decisions of the rows shown)."""
    hotspots = visible_hotspots(user)
    links = Hotspot.communes.through.objects
    if filters.status:
        hotspots = hotspots.filter(status=filters.status)
    if filters.commune:
        hotspots = hotspots.filter(
            pk__in=links.filter(commune__nis_code=filters.commune).values("hotspot_id")
        )
    if filters.zone:
        hotspots = hotspots.filter(
            pk__in=links.filter(commune__police_zone__number=filters.zone).values("hotspot_id")
        )
    versions = PlanVersion.objects.filter(plan__taskforce__hotspot=OuterRef("pk")).order_by(
        "-number"
    )
    last_meeting = (
        Meeting.objects.filter(taskforce__hotspot=OuterRef("pk"), starts_at__lt=timezone.now())
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    return list(
        for_lists(hotspots)
        .annotate(
            taskforce_pk=F("taskforce__pk"),
            plan_number=Subquery(versions.values("number")[:1]),
            plan_state=Subquery(versions.values("state")[:1]),
            last_meeting=Subquery(last_meeting),
        )
        .order_by("code")
    )


def _with_details(hotspots: list[Any]) -> None:
    """The communes (with their zones) and the decisions of ``hotspots`` (2 queries).

    As ``hotspots.selectors.hotspots.with_details``, without the communes' boundaries
    (tens of kilobytes each): the map draws them from its own cache."""
    communes = Commune.objects.select_related("police_zone").defer("boundary")
    decisions = MayorDecision.objects.select_related("commune", "decided_by").defer(
        "commune__boundary"
    )
    prefetch_related_objects(
        hotspots, Prefetch("communes", queryset=communes), Prefetch("decisions", queryset=decisions)
    )


def _action_figures(
    user: User, hotspot_ids: list[int], axis: str, today: dt.date
) -> dict[tuple[int, str], Mapping[str, Any]]:
    """(hotspot id, axis) → count, average progress, late and escalated (1 query)."""
    actions = Action.objects.filter(plan__taskforce__hotspot_id__in=hotspot_ids).filter(
        counted_actions(user)
    )
    if axis:
        actions = actions.filter(axis=axis)
    live = ~Q(status=ActionStatus.CANCELLED)
    open_escalation = Exists(
        Escalation.objects.filter(action=OuterRef("pk"), resolved_at__isnull=True)
    )
    rows = (
        actions.annotate(open_escalation=open_escalation)
        .values("plan__taskforce__hotspot_id", "axis")
        .annotate(
            count=Count("pk", filter=live),
            average=Avg("progress", filter=live),
            late=Count("pk", filter=late_condition(today)),
            escalated=Count("pk", filter=Q(open_escalation=True)),
        )
        .order_by()
    )
    return {(row["plan__taskforce__hotspot_id"], row["axis"]): row for row in rows}


def _order_figures(hotspot_ids: list[int], today: dt.date) -> dict[int | None, Mapping[str, Any]]:
    """Hotspot id (None: regional) → orders in force and expiring soon (1 query)."""
    rows = (
        PoliceOrder.objects.filter(valid_from__lte=today, valid_until__gte=today)
        .filter(Q(hotspot__isnull=True) | Q(hotspot_id__in=hotspot_ids))
        .values("hotspot_id")
        .annotate(
            in_force=Count("pk"),
            expiring=Count(
                "pk", filter=Q(valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
            ),
        )
        .order_by()
    )
    return {row["hotspot_id"]: row for row in rows}


def _trends(hotspot_ids: list[int], axis: str) -> dict[int, list[IndicatorTrend]]:
    """Hotspot id → the trend of each indicator with values (2 queries).

    The mean of the last three complete months against the three months before
    (``charts.trend``, the rule of the hotspot page); the direction is read with the
    indicator's ``lower_is_better``.
    """
    indicators = IndicatorDefinition.objects.order_by("position", "code")
    if axis:
        indicators = indicators.filter(axis=axis)
    definitions = {indicator.pk: indicator for indicator in indicators}
    end = last_complete_month()
    months = [add_months(end, offset) for offset in range(-5, 1)]
    values: dict[tuple[int, int], dict[dt.date, Decimal]] = defaultdict(dict)
    for hotspot_id, indicator_id, month, value in (
        IndicatorValue.objects.filter(
            hotspot_id__in=hotspot_ids,
            indicator_id__in=list(definitions),
            month__gte=months[0],
            month__lte=end,
        )
        .order_by()
        .values_list("hotspot_id", "indicator_id", "month", "value")
    ):
        values[hotspot_id, indicator_id][month] = value
    trends: dict[int, list[IndicatorTrend]] = defaultdict(list)
    for hotspot_id in hotspot_ids:
        for indicator_id, indicator in definitions.items():
            series = values.get((hotspot_id, indicator_id))
            if not series:
                continue
            direction = charts.trend([series.get(month) for month in months])
            improving = (
                None
                if direction == "flat"
                else (direction == "down") == (indicator.lower_is_better)
            )
            trends[hotspot_id].append(IndicatorTrend(indicator, direction, improving))
    return trends


def regional_overview(
    user: User, filters: OverviewFilters, *, today: dt.date | None = None
) -> Overview:
    """Every hotspot ``user`` may see that matches ``filters``, one row each.

    A fixed number of queries (11, and for readers other than the CSIR coordinator one more:
    their task-force permissions, which ``granted`` keeps for the request) whatever the
    number of hotspots, actions, meetings, orders or indicator values. The axis filter
    limits the progress, the late and escalated counts and the indicator trends to that
    axis.

    Only the first ``filters.limit`` hotspots get a row (the page's "more" link asks for
    more); the caption's late, escalated and expiring totals count every matching hotspot.
    """
    today = today or timezone.localdate()
    every = _hotspots(user, filters)
    hotspots = every[: filters.limit]
    _with_details(hotspots)
    ids = [hotspot.pk for hotspot in every]
    # Grouped in the database for every hotspot: the totals of the caption come from it.
    figures = _action_figures(user, ids, filters.axis, today)
    orders = _order_figures(ids, today)
    trends = _trends([hotspot.pk for hotspot in hotspots], filters.axis)
    # The balance is about the three axes together: the axis filter does not apply to it.
    balances = balances_for(user, [h.taskforce_pk for h in hotspots if h.taskforce_pk is not None])
    # The plan page is open to the CSIR and the task force's members only.
    readable = set(visible_taskforces(user).order_by().values_list("pk", flat=True))
    regional = orders.get(None, {"in_force": 0, "expiring": 0})
    axes = [(a.value, str(a.label)) for a in Axis if not filters.axis or a.value == filters.axis]
    plan_labels: dict[str | None, object] = dict(PlanVersion.State.choices)

    rows = []
    for hotspot in hotspots:
        decisions = list(hotspot.decisions.all())
        progress = []
        for value, label in axes:
            figure = figures.get((hotspot.pk, value), {})
            average = figure.get("average")
            progress.append(
                AxisFigures(
                    axis=value,
                    label=label,
                    count=figure.get("count", 0),
                    average=round(average) if average is not None else 0,
                    late=figure.get("late", 0),
                    escalated=figure.get("escalated", 0),
                )
            )
        local = orders.get(hotspot.pk, {"in_force": 0, "expiring": 0})
        met = hotspot.last_meeting
        days = (today - timezone.localtime(met).date()).days if met else None
        has_taskforce = hotspot.taskforce_pk is not None
        rows.append(
            OverviewRow(
                hotspot=hotspot,
                zones=police_zones_of(hotspot),
                decisions=decisions,
                approved=sum(1 for d in decisions if d.decision == Decision.APPROVE),
                rejected=sum(1 for d in decisions if d.decision == Decision.REJECT),
                plan_number=hotspot.plan_number,
                plan_state=hotspot.plan_state or "",
                plan_state_label=str(plan_labels.get(hotspot.plan_state, "")),
                plan_url=reverse("taskforces:plan", args=[hotspot.taskforce_pk])
                if hotspot.taskforce_pk in readable
                else "",
                has_taskforce=has_taskforce,
                progress=progress,
                late=sum(f.late for f in progress),
                escalated=sum(f.escalated for f in progress),
                last_meeting=met,
                days_since_meeting=days,
                meeting_overdue=has_taskforce and (days is None or days > MEETING_WARNING_DAYS),
                orders_local=local["in_force"],
                orders_regional=regional["in_force"],
                orders_expiring=local["expiring"] + regional["expiring"],
                trends=trends.get(hotspot.pk, []),
                balance=balances.get(hotspot.taskforce_pk)
                if hotspot.taskforce_pk is not None
                else None,
                balance_url=reverse("taskforces:detail", args=[hotspot.taskforce_pk])
                + "#axis-balance"
                if hotspot.taskforce_pk in readable
                else "",
            )
        )
    return Overview(
        filters=filters,
        rows=rows,
        axes=axes,
        today=today,
        balance_limits=Thresholds.from_settings(),
        hotspots=list(every),
        late=sum(figure["late"] for figure in figures.values()),
        escalated=sum(figure["escalated"] for figure in figures.values()),
        orders_expiring=sum(orders.get(pk, {}).get("expiring", 0) for pk in ids)
        + regional["expiring"] * len(ids),
    )
