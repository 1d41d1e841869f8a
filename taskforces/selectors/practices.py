"""Reads of the evaluations of ended actions and of the shared library of validated
practices ("what worked where"), each in a fixed number of queries.

The library is shared across task forces: a validated practice is shown to every signed-in
person, its action linked only for those who may open it; a practice of a police-judicial
action stays inside its circle (``coordination.people.confidentiality``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coordination.core import charts
from coordination.models import User
from coordination.people import confidentiality
from hotspots.models import IndicatorDefinition, IndicatorValue
from hotspots.selectors.indicators import add_months, last_complete_month
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionEvaluation,
    EvaluationPhenomenon,
    EvaluationVersion,
)

State = EvaluationVersion.State
# Months compared before the action started and up to its end.
TREND_MONTHS = 3


# --- One action's evaluation ----------------------------------------------------------


def evaluation_of(action: Action) -> ActionEvaluation | None:
    return ActionEvaluation.objects.filter(action=action).first()


def versions_of(evaluation: ActionEvaluation | None) -> list[EvaluationVersion]:
    """Every version, newest first, with what each shows (3 queries)."""
    if evaluation is None:
        return []
    return list(
        evaluation.versions.select_related("written_by", "submitted_by", "reviewed_by")
        .prefetch_related(
            "phenomena", Prefetch("indicators", IndicatorDefinition.objects.order_by("position"))
        )
        .order_by("-number")
    )


def evaluation_page(user: User, action: Action) -> dict[str, Any]:
    """The action's evaluation: its versions (history kept) and what the reader may do."""
    access = permissions.access_for(user, action.plan.taskforce)
    evaluation = evaluation_of(action)
    versions = versions_of(evaluation)
    open_version = next((v for v in versions if v.state != State.VALIDATED), None)
    current = next(
        (v for v in versions if v.state == State.VALIDATED and v.superseded_at is None), None
    )
    can_record = permissions.can_record_evaluation(access, action)
    return {
        "action": action,
        "taskforce": action.plan.taskforce,
        "evaluation": evaluation,
        "versions": versions,
        "open_version": open_version,
        "current": current,
        "ended": action.status in permissions.ENDED_STATUSES,
        "can_record": can_record and not (open_version and open_version.state == State.SUBMITTED),
        "can_submit": can_record
        and open_version is not None
        and open_version.state in (State.DRAFT, State.RETURNED),
        "can_review": permissions.can_review_evaluation(user)
        and open_version is not None
        and open_version.state == State.SUBMITTED,
    }


def action_section(user: User, action: Action) -> dict[str, Any]:
    """What the action page says of the evaluation (one query)."""
    access = permissions.access_for(user, action.plan.taskforce)
    states = list(
        EvaluationVersion.objects.filter(evaluation__action=action)
        .order_by("-number")
        .values_list("state", "superseded_at")
    )
    return {
        "action": action,
        "ended": action.status in permissions.ENDED_STATUSES,
        "latest_state": states[0][0] if states else "",
        "latest_label": dict(State.choices).get(states[0][0], "") if states else "",
        "validated": any(s == State.VALIDATED and sup is None for s, sup in states),
        "can_record": permissions.can_record_evaluation(access, action),
    }


# --- The shared library ---------------------------------------------------------------


def library_filter(user: User) -> Any:
    """The current validated versions ``user`` may read in the library."""
    return confidentiality.visible_across(
        user,
        permissions.circle_taskforces(user).values("pk"),
        taskforce="evaluation__action__plan__taskforce",
        prefix="evaluation__action__",
    )


def practices(
    user: User, *, phenomenon: str = "", axis: str = "", market: str = "", effect: str = ""
) -> QuerySet[EvaluationVersion]:
    """Validated practices across every hotspot, newest validation first (not evaluated
    yet: paginate, then ``decorate`` the page)."""
    versions = EvaluationVersion.objects.filter(
        state=State.VALIDATED, superseded_at__isnull=True
    ).filter(library_filter(user))
    if phenomenon:
        versions = versions.filter(
            pk__in=EvaluationPhenomenon.objects.filter(phenomenon=phenomenon).values("version_id")
        )
    if axis:
        versions = versions.filter(evaluation__action__axis=axis)
    if market:
        versions = versions.filter(market=market)
    if effect:
        versions = versions.filter(effect=effect)
    return (
        versions.select_related(
            "evaluation__action__plan__taskforce__hotspot", "evaluation__action__lead_agency"
        )
        .prefetch_related(
            "phenomena", Prefetch("indicators", IndicatorDefinition.objects.order_by("position"))
        )
        .order_by("-reviewed_at", "-pk")
    )


def awaiting_review(user: User, limit: int = 50) -> list[EvaluationVersion]:
    """The evaluations submitted to the CSIR coordinator, oldest first (one query; none
    for anybody else). The coordinator sees every circle's items."""
    if not permissions.can_review_evaluation(user):
        return []
    return list(
        EvaluationVersion.objects.filter(state=State.SUBMITTED)
        .select_related("evaluation__action__plan__taskforce__hotspot", "submitted_by")
        .order_by("submitted_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class IndicatorTrend:
    """An indicator behind a practice at its hotspot: the mean of the months before the
    action started against the mean of its last months."""

    indicator: IndicatorDefinition
    before: Decimal | None
    after: Decimal | None
    trend: charts.Trend
    # True: moved the good way; False: the bad way; None: stable or not enough values.
    improving: bool | None


def _window(action: Action) -> tuple[dt.date, dt.date, dt.date]:
    """The first month before, the month the action started, and its last month."""
    last = last_complete_month()
    end = action.due_on or timezone.localdate()
    end_month = min(end.replace(day=1), last)
    start = action.start_on or add_months(end_month, -TREND_MONTHS)
    start_month = min(start.replace(day=1), end_month)
    return add_months(start_month, -TREND_MONTHS), start_month, end_month


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))


def decorate(user: User, versions: Sequence[EvaluationVersion]) -> list[dict[str, Any]]:
    """The page's practices with the indicator trends and whether the reader may open the
    action (3 queries at most, whatever the page's size)."""
    actions = [version.evaluation.action for version in versions]
    taskforces = {action.plan.taskforce.pk: action.plan.taskforce for action in actions}
    permissions.prefetch_access(user, taskforces.values())
    # Each row has its own task-force object: read the access once per task force.
    access = {pk: permissions.access_for(user, taskforce) for pk, taskforce in taskforces.items()}
    windows = {action.pk: _window(action) for action in actions}
    wanted = {
        (version.evaluation.action.plan.taskforce.hotspot_id, indicator.pk)
        for version in versions
        for indicator in version.indicators.all()
    }
    values: dict[tuple[int, int], dict[dt.date, Decimal]] = {}
    if wanted:
        earliest = min(window[0] for window in windows.values())
        latest = max(window[2] for window in windows.values())
        rows = IndicatorValue.objects.filter(
            hotspot_id__in={h for h, _i in wanted},
            indicator_id__in={i for _h, i in wanted},
            month__gte=earliest,
            month__lte=latest,
        ).values_list("hotspot_id", "indicator_id", "month", "value")
        for hotspot_id, indicator_id, month, value in rows:
            values.setdefault((hotspot_id, indicator_id), {})[month] = value
    items = []
    for version in versions:
        action = version.evaluation.action
        taskforce = action.plan.taskforce
        first, start, end = windows[action.pk]
        trends = []
        for indicator in version.indicators.all():
            series = values.get((taskforce.hotspot_id, indicator.pk), {})
            before = _months(series, first, start)[-TREND_MONTHS:]
            after = _months(series, max(start, add_months(end, 1 - TREND_MONTHS)), end, True)
            # charts.trend compares the last three values with the three before them.
            padded = [
                *([None] * (TREND_MONTHS - len(before))),
                *before,
                *([None] * (TREND_MONTHS - len(after))),
                *after,
            ]
            direction = charts.trend(padded)
            trends.append(
                IndicatorTrend(
                    indicator=indicator,
                    before=_mean(before),
                    after=_mean(after),
                    trend=direction,
                    improving=None
                    if direction == "flat" or not (before and after)
                    else (direction == "down") == indicator.lower_is_better,
                )
            )
        items.append(
            {
                "version": version,
                "action": action,
                "hotspot": taskforce.hotspot,
                "can_open": permissions.can_see_action(access[taskforce.pk], action),
                "trends": trends,
            }
        )
    return items


def _months(
    series: dict[dt.date, Decimal], first: dt.date, last: dt.date, inclusive: bool = False
) -> list[Decimal]:
    """The values of ``series`` from ``first`` to ``last`` (excluded unless ``inclusive``)."""
    return [
        series[month]
        for month in sorted(series)
        if first <= month and (month <= last if inclusive else month < last)
    ]
