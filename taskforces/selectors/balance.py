"""The balance of the three axes, for every task force at once (issue 15, item 2).

The three axes of a plan (Security, Prevention, Neighbourhood life) are meant to be
inseparable (DESIGN.md §1). For each task force this module works out, per axis:

- the share of its **actions**: the plan's actions that are not cancelled (as the overview
  counts them), created by the moment the figures speak of;
- its **progress**: the mean progress of those actions and the axis's share of their
  progress points (the sum of the percentages);
- the share of its **updates**: the ``ActionUpdate`` rows of the last
  ``settings.AXIS_BALANCE_WEEKS`` weeks (8 by default) — the activity of the axis;

and two warnings, stored and passed around as codes and worded only at display time in
the reader's language (:func:`describe`):

- ``silent``: an axis has had no update for more than ``settings.AXIS_SILENCE_WEEKS``
  weeks (4 by default). The clock starts at the task force's creation, so a task force
  that has just started is not flagged; an axis without any action is silent too.
- ``dominant``: one axis carries more than ``settings.AXIS_DOMINANCE_SHARE`` (0.6 by
  default) of the updates of the window.

Warnings are raised for task forces at work only: a closed hotspot's task force keeps its
figures but no longer warns.

The police-judicial rule (DESIGN.md §5) is applied before anything is counted, through
``coordination.people.confidentiality`` as everywhere else: police-judicial actions, their
updates and police-judicial updates are left out for anybody outside the task force's
circle (:func:`balances_for`, the rule of the regional overview's counts), and for the
CoReS version of a report (:func:`balances_for_audience`). Outsiders therefore do not learn
that such items exist; the circle (and the CSIR coordinator) see them counted.

Three queries whatever the number of task forces, actions or updates: the task forces,
one aggregate of the actions and one of the updates, each grouped by task force and axis.
The updates are read per action through the index on (action, at) (taskforces 0010): the
count of the window and the latest update, so that the cost follows the number of actions
and the window, not the whole history of the updates (issue 16).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coordination.core.dates import percent
from coordination.models import Axis, User
from coordination.people import confidentiality
from hotspots.models import Hotspot
from taskforces.models import Action, ActionUpdate, TaskForce
from taskforces.permissions import circle_ids

WarningCode = Literal["silent", "dominant"]
SILENT: WarningCode = "silent"
DOMINANT: WarningCode = "dominant"
WARNING_CODES: tuple[WarningCode, ...] = (SILENT, DOMINANT)
# A closed hotspot's task force has stopped working: its figures stay, its warnings go.
QUIET_STATUSES = (Hotspot.Status.CLOSED, Hotspot.Status.REJECTED)
WEEK = dt.timedelta(weeks=1)


@dataclass(frozen=True)
class Thresholds:
    """The settings in force when the figures were worked out (frozen with a snapshot)."""

    window_weeks: int
    silence_weeks: int
    dominance_pct: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            window_weeks=int(settings.AXIS_BALANCE_WEEKS),
            silence_weeks=int(settings.AXIS_SILENCE_WEEKS),
            dominance_pct=round(float(settings.AXIS_DOMINANCE_SHARE) * 100),
        )

    @property
    def dominance_share(self) -> float:
        return self.dominance_pct / 100


@dataclass(frozen=True)
class BalanceWarning:
    """A warning as a code and its figures; :attr:`text` words it for the reader."""

    code: WarningCode
    axis: str
    # silent: full weeks since the axis's last update (or the task force's start);
    # dominant: the window the share was measured over.
    weeks: int
    # silent: the silence threshold in weeks; dominant: the threshold share in %.
    limit: int
    # dominant: the axis's share of the updates of the window, in %.
    share: int | None = None
    # silent: the axis has never had an update.
    never: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "axis": self.axis,
            "weeks": self.weeks,
            "limit": self.limit,
            "share": self.share,
            "never": self.never,
        }

    @property
    def text(self) -> str:
        """The warning in the active language (read at display time, never stored)."""
        return describe(self.as_json())


@dataclass(frozen=True)
class AxisBalance:
    """One axis of one task force."""

    axis: str
    actions: int = 0
    actions_pct: int = 0
    # The mean progress of the axis's actions in %, None without any action.
    progress: int | None = None
    points: int = 0
    points_pct: int = 0
    updates: int = 0
    updates_pct: int = 0
    last_update: dt.datetime | None = None

    @property
    def label(self) -> str:
        return str(Axis(self.axis).label)

    def as_json(self) -> dict[str, Any]:
        return {
            "axis": self.axis,
            "actions": self.actions,
            "actions_pct": self.actions_pct,
            "progress": self.progress,
            "points": self.points,
            "points_pct": self.points_pct,
            "updates": self.updates,
            "updates_pct": self.updates_pct,
            "last_update": timezone.localtime(self.last_update).isoformat(timespec="minutes")
            if self.last_update
            else None,
        }


@dataclass
class Balance:
    """The balance of the axes of one task force, at ``as_of``."""

    taskforce_id: int
    as_of: dt.datetime
    thresholds: Thresholds
    axes: list[AxisBalance]
    warnings: list[BalanceWarning] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return sum(a.actions for a in self.axes)

    @property
    def updates(self) -> int:
        return sum(a.updates for a in self.axes)

    @property
    def window_weeks(self) -> int:
        return self.thresholds.window_weeks

    def axis(self, axis: str) -> AxisBalance:
        return next(a for a in self.axes if a.axis == axis)

    def codes(self) -> set[tuple[str, str]]:
        """(code, axis) of each warning: what tests and callers compare."""
        return {(w.code, w.axis) for w in self.warnings}

    def as_json(self) -> dict[str, Any]:
        """Plain JSON for a report's snapshot: figures and warning codes, no sentence."""
        return {
            "window_weeks": self.thresholds.window_weeks,
            "silence_weeks": self.thresholds.silence_weeks,
            "dominance_pct": self.thresholds.dominance_pct,
            "actions": self.actions,
            "updates": self.updates,
            "axes": [a.as_json() for a in self.axes],
            "warnings": [w.as_json() for w in self.warnings],
        }


# --- Wording, at display time ---------------------------------------------------------


def describe(warning: Mapping[str, Any]) -> str:
    """A warning (as :meth:`BalanceWarning.as_json` freezes it) in the active language."""
    axis = warning.get("axis", "")
    label = str(Axis(axis).label) if axis in Axis.values else str(axis)
    if warning.get("code") == DOMINANT:
        return _(
            "%(axis)s carries %(share)s of the updates of the last %(weeks)s weeks "
            "(more than %(limit)s)."
        ) % {
            "axis": label,
            "share": percent(warning.get("share")),
            "weeks": warning.get("weeks"),
            "limit": percent(warning.get("limit")),
        }
    if warning.get("never"):
        return ngettext(
            "%(axis)s: no update since the task force started, %(weeks)s week ago.",
            "%(axis)s: no update since the task force started, %(weeks)s weeks ago.",
            int(warning.get("weeks") or 0),
        ) % {"axis": label, "weeks": warning.get("weeks")}
    return ngettext(
        "%(axis)s: no update for %(weeks)s week.",
        "%(axis)s: no update for %(weeks)s weeks.",
        int(warning.get("weeks") or 0),
    ) % {"axis": label, "weeks": warning.get("weeks")}


# --- Reading ---------------------------------------------------------------------------


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _warnings(
    axes: list[AxisBalance], *, started: dt.datetime, as_of: dt.datetime, limits: Thresholds
) -> list[BalanceWarning]:
    warnings = []
    silence = dt.timedelta(weeks=limits.silence_weeks)
    for figures in axes:
        # Since the last update, or since the task force started for an axis never updated.
        since = figures.last_update or started
        if as_of - since > silence:
            warnings.append(
                BalanceWarning(
                    code=SILENT,
                    axis=figures.axis,
                    weeks=(as_of - since) // WEEK,
                    limit=limits.silence_weeks,
                    never=figures.last_update is None,
                )
            )
    total = sum(a.updates for a in axes)
    for figures in axes:
        # Compared on the counts, not the rounded percentage: 60.4 % is above 60 %.
        if total and figures.updates > limits.dominance_share * total:
            warnings.append(
                BalanceWarning(
                    code=DOMINANT,
                    axis=figures.axis,
                    weeks=limits.window_weeks,
                    limit=limits.dominance_pct,
                    share=figures.updates_pct,
                )
            )
    return warnings


def _update_figures(
    ids: Collection[int],
    *,
    actions_visible: Q,
    sees_updates: Q | bool,
    as_of: dt.datetime,
    start: dt.datetime,
) -> dict[tuple[int, str], dict[str, Any]]:
    """(task force id, axis) → the updates of the window (``recent``) and the latest one
    (``last``), up to ``as_of``; one query.

    Per action, through the index on (action, at): the updates of the window, and the
    latest one (a backward step in the index), so the history older than the window is
    never read. ``actions_visible`` is the reader's rule for the actions (an update of a
    hidden action is hidden); ``sees_updates`` whether they see the police-judicial updates
    of the visible actions: always, never, or where the condition on the action holds.
    """

    def per_action(visible: Q) -> tuple[Subquery, Subquery]:
        updates = (
            ActionUpdate.objects.filter(action=OuterRef("pk"), at__lte=as_of)
            .filter(visible)
            .order_by()
        )
        # COUNT(*) without GROUP BY: one row per action, read from the index alone.
        recent = (
            updates.filter(at__gt=start)
            .annotate(n=Func(function="COUNT", template="COUNT(*)", output_field=IntegerField()))
            .values("n")
        )
        latest = updates.order_by("-at").values("at")[:1]
        return Subquery(recent), Subquery(latest)

    every = per_action(Q())
    public = per_action(~confidentiality.hidden())
    recent: Any
    last: Any
    if sees_updates is True:
        recent, last = every
    elif sees_updates is False:
        recent, last = public
    else:
        recent = Case(When(sees_updates, then=every[0]), default=public[0])
        last = Case(When(sees_updates, then=every[1]), default=public[1])
    rows = (
        Action.objects.filter(plan__taskforce_id__in=ids)
        .filter(actions_visible)
        .values("plan__taskforce_id", "axis")
        .annotate(recent=Cast(Sum(recent), IntegerField()), last=Max(last))
        .order_by()
    )
    return {(row["plan__taskforce_id"], row["axis"]): dict(row) for row in rows}


def _balances(
    taskforce_ids: Collection[int],
    *,
    actions_visible: Q,
    sees_updates: Q | bool,
    as_of: dt.datetime | None,
) -> dict[int, Balance]:
    """Task force id → its balance (3 queries, whatever the number of task forces)."""
    ids = sorted(set(taskforce_ids))
    if not ids:
        return {}
    as_of = as_of or timezone.now()
    limits = Thresholds.from_settings()
    start = as_of - dt.timedelta(weeks=limits.window_weeks)
    taskforces = {
        row["pk"]: row
        for row in TaskForce.objects.filter(pk__in=ids)
        .order_by()
        .values("pk", "created_at", "hotspot__status")
    }
    live = ~Q(status=Action.Status.CANCELLED)
    actions = {
        (row["plan__taskforce_id"], row["axis"]): row
        for row in Action.objects.filter(plan__taskforce_id__in=ids, created_at__lte=as_of)
        .filter(actions_visible)
        .values("plan__taskforce_id", "axis")
        .annotate(
            count=Count("pk", filter=live),
            average=Avg("progress", filter=live),
            points=Sum("progress", filter=live),
        )
        .order_by()
    }
    updates = _update_figures(
        ids, actions_visible=actions_visible, sees_updates=sees_updates, as_of=as_of, start=start
    )
    balances: dict[int, Balance] = {}
    for pk in ids:
        taskforce = taskforces.get(pk)
        if taskforce is None:
            continue
        rows: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = [
            (actions.get((pk, a), {}), updates.get((pk, a), {})) for a in Axis.values
        ]
        total_actions = sum(row.get("count") or 0 for row, _u in rows)
        total_points = sum(row.get("points") or 0 for row, _u in rows)
        total_updates = sum(u.get("recent") or 0 for _row, u in rows)
        axes = []
        for axis, (row, update) in zip(Axis.values, rows, strict=True):
            count, points = row.get("count") or 0, row.get("points") or 0
            recent, average = update.get("recent") or 0, row.get("average")
            axes.append(
                AxisBalance(
                    axis=axis,
                    actions=count,
                    actions_pct=_pct(count, total_actions),
                    progress=round(average) if count and average is not None else None,
                    points=points,
                    points_pct=_pct(points, total_points),
                    updates=recent,
                    updates_pct=_pct(recent, total_updates),
                    last_update=update.get("last"),
                )
            )
        quiet = taskforce["hotspot__status"] in QUIET_STATUSES
        balances[pk] = Balance(
            taskforce_id=pk,
            as_of=as_of,
            thresholds=limits,
            axes=axes,
            warnings=[]
            if quiet
            else _warnings(axes, started=taskforce["created_at"], as_of=as_of, limits=limits),
        )
    return balances


def balances_for(
    user: User, taskforce_ids: Collection[int], *, as_of: dt.datetime | None = None
) -> dict[int, Balance]:
    """The balance of each task force in ``taskforce_ids``, as ``user`` may read it.

    The regional overview's rule (``counted_actions``): the CSIR coordinator counts every
    item; anybody else counts police-judicial actions and updates only in the task forces
    whose circle they belong to, and elsewhere does not learn that they exist. The caller
    decides which task forces the reader may see at all.
    """
    circle = circle_ids(user)
    actions = confidentiality.visible_across(user, circle, taskforce="plan__taskforce")
    # An update is seen where its action is (``actions``) and, if police-judicial itself,
    # in the circle's task forces only: ``visible_across`` on the update, applied per action.
    sees: Q | bool = (
        True if confidentiality.sees_everywhere(user) else Q(plan__taskforce__in=circle)
    )
    return _balances(taskforce_ids, actions_visible=actions, sees_updates=sees, as_of=as_of)


def balance_for(user: User, taskforce: TaskForce, *, as_of: dt.datetime | None = None) -> Balance:
    """The balance of one task force, as ``user`` may read it (its page)."""
    return balances_for(user, [taskforce.pk], as_of=as_of)[taskforce.pk]


def balances_for_audience(
    taskforce_ids: Collection[int], *, police_judicial: bool, as_of: dt.datetime | None = None
) -> dict[int, Balance]:
    """The balances frozen into a report: the police-judicial version counts every item,
    the CoReS version leaves police-judicial actions and updates out before counting."""
    return _balances(
        taskforce_ids,
        actions_visible=confidentiality.visible(sees=police_judicial),
        sees_updates=police_judicial,
        as_of=as_of,
    )
