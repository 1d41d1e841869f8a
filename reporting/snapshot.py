"""Freeze the data of a report's period as plain JSON, already filtered for its audience.

The snapshot is the only input of the renderer (``render.py`` never touches the ORM): a
ready report can be rendered again years later and say exactly what it said. It holds
plain data only (strings, numbers, booleans, ISO dates) and carries the French and Dutch
names of reference data, so that one snapshot serves both languages.

The queries do not grow with the number of hotspots: each kind of row is read once for
the whole scope. Task-force data is read from the task-force models directly (the late
rule: due before the report's date and neither done nor cancelled).

Every operational free text (action titles, escalation reasons and resolutions, update
comments, police-order signatories and legal bases, meeting places, displacement places)
is frozen with its language and its translation: ``<key>`` holds the original,
``<key>_language`` the language it was written in and ``<key>_translation`` the text in
the other language (empty if none). The renderer prints the reader's language where it
exists and the original, marked with its language, where it does not. Snapshots frozen
before these keys existed still render (their texts are taken as French originals).

In the CoReS version, police-judicial actions, their updates and escalations, and
police-judicial updates are left out before anything is counted: the readers do not
learn that they exist (DESIGN.md §5). The same holds for the balance of the axes
(``balance``: figures per axis and warning codes, ``taskforces.selectors.balance``),
frozen as of the end of the report's date; the police-judicial version counts them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.utils import timezone

from coordination.core.dates import local_day
from coordination.models import Commune, Strategy
from coordination.people import confidentiality
from coordination.strategy import selectors as regional
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue, MayorDecision, PoliceOrder
from hotspots.selectors import hotspot_list
from taskforces.models import (
    Action,
    ActionUpdate,
    DisplacementReport,
    Escalation,
    Meeting,
    TaskForce,
)
from taskforces.selectors.balance import balances_for_audience

SCHEMA = 1
#: Police orders whose last day falls within this many days of the report date are
#: listed as expiring.
EXPIRING_WITHIN_DAYS = 30
#: Months of indicator values drawn in each chart.
INDICATOR_MONTHS = 12
#: Updates listed in a task-force report (the most recent of the period).
UPDATES_LISTED = 30

Status = Hotspot.Status
ActionStatus = Action.Status
POLICE_JUDICIAL = confidentiality.POLICE_JUDICIAL
CLOSED_ACTION = (ActionStatus.DONE, ActionStatus.CANCELLED)
# Hotspots a regional report is about: those sent to the mayors and not rejected, and
# those closed during the period.
REPORTED_STATUSES = (Status.AWAITING_APPROVAL, Status.APPROVED, Status.ACTIVE)

FIGURE_KEYS = (
    "hotspots_active",
    "hotspots",
    "actions",
    "actions_done",
    "actions_late",
    "actions_blocked",
    "average_progress",
    "escalations_open",
    "orders_in_force",
    "orders_expiring",
    "meetings_held",
    "displacements",
    "updates",
)

Progress = Callable[[int], None]


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _number(value: Decimal | float | int | None) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def indicator_months(as_of: dt.date) -> list[dt.date]:
    """The months drawn in the charts: up to the last month complete on ``as_of``."""
    last = as_of.replace(day=1)
    if (as_of + dt.timedelta(days=1)).month == as_of.month:
        last = _add_months(last, -1)
    return [_add_months(last, offset) for offset in range(-(INDICATOR_MONTHS - 1), 1)]


def report_date(period_end: dt.date, *, today: dt.date | None = None) -> dt.date:
    """The date the report speaks of: its period's end, or today if that is still to come."""
    return min(period_end, today or regional.today())


def _bilingual_keys(model: type[Model], field: str, prefix: str = "") -> list[str]:
    """The ``.values()`` keys of ``field``'s language and translation, where ``model`` has
    them (the content models became bilingual one by one: read what exists)."""
    keys = []
    for name in ("language", f"{field}_translation"):
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        keys.append(f"{prefix}{name}")
    return keys


def _text(row: Mapping[str, Any], field: str, *, key: str | None = None, prefix: str = "") -> dict:
    """A free text frozen with its language and its translation (see the module's doc)."""
    key = key or field
    return {
        key: row.get(f"{prefix}{field}") or "",
        f"{key}_language": row.get(f"{prefix}language") or "fr",
        f"{key}_translation": row.get(f"{prefix}{field}_translation") or "",
    }


def _object_text(obj: Model, field: str, *, key: str | None = None) -> dict:
    """:func:`_text` for a model instance (before or after it became bilingual)."""
    key = key or field
    return {
        key: getattr(obj, field, "") or "",
        f"{key}_language": getattr(obj, "language", "fr") or "fr",
        f"{key}_translation": getattr(obj, f"{field}_translation", "") or "",
    }


def _scope_hotspots(*, hotspot_id: int | None, start: dt.date) -> QuerySet[Hotspot]:
    hotspots = Hotspot.objects.all()
    if hotspot_id is not None:
        hotspots = hotspots.filter(pk=hotspot_id)
    else:
        hotspots = hotspots.filter(
            Q(status__in=REPORTED_STATUSES) | Q(status=Status.CLOSED, closed_at__date__gte=start)
        )
    return hotspots.prefetch_related(
        Prefetch("communes", queryset=Commune.objects.order_by("name_fr")),
        Prefetch(
            "decisions",
            queryset=MayorDecision.objects.select_related("commune", "decided_by").order_by(
                "commune__name_fr"
            ),
        ),
    ).order_by("code")


def _visible(audience: str, prefix: str = "") -> Q:
    """The condition on rows (or, with ``prefix``, on a related action) the audience sees:
    the police-judicial version holds everything, the CoReS version nothing confidential."""
    return confidentiality.visible(sees=audience == "police_judicial", prefix=prefix)


def _order(order: PoliceOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "scope": order.scope,
        "hotspot": cast(Hotspot, order.hotspot).code if order.hotspot_id else None,
        "title_fr": order.title_fr,
        "title_nl": order.title_nl,
        "measures": list(order.measures or []),
        **_object_text(order, "legal_reference"),
        **_object_text(order, "signatory"),
        "valid_from": _iso(order.valid_from),
        "valid_until": _iso(order.valid_until),
    }


def _strategy(as_of: dt.date) -> dict[str, Any] | None:
    period = regional.current_period(on=as_of)
    if period is None:
        strategy = Strategy.objects.order_by("-adopted_on").first()
        return (
            None
            if strategy is None
            else {
                "title_fr": strategy.title_fr,
                "title_nl": strategy.title_nl,
                "target_min": strategy.target_min_hotspots,
                "target_max": strategy.target_max_hotspots,
                "period": None,
            }
        )
    strategy = period.strategy
    following = strategy.periods.filter(starts_on__gt=period.ends_on).order_by("starts_on").first()
    days_left = (period.ends_on - as_of).days
    return {
        "title_fr": strategy.title_fr,
        "title_nl": strategy.title_nl,
        "target_min": strategy.target_min_hotspots,
        "target_max": strategy.target_max_hotspots,
        "period": {
            "number": period.number,
            "starts_on": _iso(period.starts_on),
            "ends_on": _iso(period.ends_on),
            "days_left": days_left,
            "warning_days": regional.DECISION_WARNING_DAYS,
            # Once the CoReS has opened the next period, no decision is due any more.
            "decision_due": following is None and days_left <= regional.DECISION_WARNING_DAYS,
            "next_ends_on": _iso(following.ends_on) if following else None,
        },
    }


def build(
    *,
    kind: str,
    hotspot_id: int | None,
    period_start: dt.date,
    period_end: dt.date,
    audience: str,
    generated_at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report's data as plain JSON (without ``changes``: see :func:`compare`)."""
    tick = progress or (lambda percent: None)
    generated_at = generated_at or timezone.now()
    as_of = report_date(period_end, today=timezone.localdate(generated_at))
    hotspots = list(_scope_hotspots(hotspot_id=hotspot_id, start=period_start))
    ids = [h.pk for h in hotspots]
    by_id: dict[int, dict[str, Any]] = {}
    for h in hotspots:
        by_id[h.pk] = {
            "id": h.pk,
            "code": h.code,
            "name_fr": h.name_fr,
            "name_nl": h.name_nl,
            "status": h.status,
            "phenomena": list(h.phenomena or []),
            "perimeter": h.perimeter,
            "communes": [
                {"nis": c.nis_code, "name_fr": c.name_fr, "name_nl": c.name_nl}
                for c in h.communes.all()
            ],
            "approved_on": _iso(local_day(h.approved_at)) if h.approved_at else None,
            "activated_on": _iso(local_day(h.activated_at)) if h.activated_at else None,
            "closed_on": _iso(local_day(h.closed_at)) if h.closed_at else None,
            "approvals": [
                {
                    "commune_fr": d.commune.name_fr,
                    "commune_nl": d.commune.name_nl,
                    "decision": d.decision,
                    "decided_on": _iso(local_day(d.decided_at)) if d.decided_at else None,
                    "decided_by": str(d.decided_by) if d.decided_by_id else "",
                }
                for d in h.decisions.all()
            ],
            "taskforce": False,
            "progress": [],
            "actions": [],
            "late": [],
            "blocked": 0,
            "escalations": [],
            "orders_in_force": [],
            "orders_expiring": [],
            "meetings": [],
            "indicators": [],
            "displacements": [],
            "updates": 0,
            "recent_updates": [],
            # The balance of the axes of its task force (None without a task force).
            "balance": None,
        }
    tick(10)

    taskforce_hotspots = dict(
        TaskForce.objects.filter(hotspot_id__in=ids).values_list("pk", "hotspot_id")
    )
    for hotspot_id_ in taskforce_hotspots.values():
        by_id[hotspot_id_]["taskforce"] = True

    # --- The balance of the axes, as it stood at the end of the report's date (3 queries).
    day_after = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    balance_at = min(generated_at, timezone.make_aware(day_after))
    for taskforce_pk, balance in balances_for_audience(
        list(taskforce_hotspots),
        police_judicial=audience == "police_judicial",
        as_of=balance_at,
    ).items():
        by_id[taskforce_hotspots[taskforce_pk]]["balance"] = balance.as_json()

    # --- Actions (the audience filter first: everything below counts visible ones only).
    actions = list(
        Action.objects.filter(plan__taskforce__hotspot_id__in=ids)
        .filter(_visible(audience))
        .order_by("axis", "due_on", "pk")
        .values(
            "pk",
            "plan__taskforce__hotspot_id",
            "axis",
            "title",
            "status",
            "progress",
            "due_on",
            "confidentiality",
            "lead_agency__name_fr",
            "lead_agency__name_nl",
            *_bilingual_keys(Action, "title"),
        )
    )
    per_axis: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    # The rows of the .values() queries below, each query of its own shape.
    row: Mapping[str, Any]
    for row in actions:
        item: dict[str, Any] = {
            "id": row["pk"],
            "axis": row["axis"],
            **_text(row, "title"),
            "status": row["status"],
            "progress": row["progress"],
            "due_on": _iso(row["due_on"]),
            "lead_fr": row["lead_agency__name_fr"] or "",
            "lead_nl": row["lead_agency__name_nl"] or "",
            "police_judicial": row["confidentiality"] == POLICE_JUDICIAL,
            "late": bool(
                row["due_on"] and row["due_on"] < as_of and row["status"] not in CLOSED_ACTION
            ),
        }
        target = by_id[row["plan__taskforce__hotspot_id"]]
        if kind == "taskforce":
            target["actions"].append(item)
        if item["late"]:
            target["late"].append(item)
        if item["status"] == ActionStatus.BLOCKED:
            target["blocked"] += 1
        if item["status"] != ActionStatus.CANCELLED:
            per_axis[target["id"]][item["axis"]].append(item)
    for hotspot_pk, axes in per_axis.items():
        by_id[hotspot_pk]["progress"] = [
            {
                "axis": axis,
                "count": len(items),
                "done": sum(1 for i in items if i["status"] == ActionStatus.DONE),
                "average": round(sum(i["progress"] for i in items) / len(items)),
            }
            for axis, items in axes.items()
        ]
    tick(25)

    # --- Escalations open at some time during the period.
    escalations = (
        Escalation.objects.filter(action__plan__taskforce__hotspot_id__in=ids)
        .filter(_visible(audience, "action__"))
        .filter(raised_at__date__lte=period_end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__date__gte=period_start))
        .order_by("raised_at", "pk")
        .values(
            "pk",
            "action_id",
            "action__title",
            "action__axis",
            "action__plan__taskforce__hotspot_id",
            "reason",
            "raised_at",
            "resolved_at",
            "resolution",
            *_bilingual_keys(Action, "title", "action__"),
            *_bilingual_keys(Escalation, "reason"),
            *_bilingual_keys(Escalation, "resolution"),
        )
    )
    for row in escalations:
        resolved = row["resolved_at"] is not None and local_day(row["resolved_at"]) <= as_of
        by_id[row["action__plan__taskforce__hotspot_id"]]["escalations"].append(
            {
                "id": row["pk"],
                "action_id": row["action_id"],
                **_text(row, "title", prefix="action__"),
                "axis": row["action__axis"],
                **_text(row, "reason"),
                "raised_on": _iso(local_day(row["raised_at"])),
                "resolved_on": _iso(local_day(cast(dt.datetime, row["resolved_at"])))
                if resolved
                else None,
                **(
                    _text(row, "resolution")
                    if resolved
                    else {
                        "resolution": "",
                        "resolution_language": "fr",
                        "resolution_translation": "",
                    }
                ),
            }
        )

    # --- Updates posted during the period (counted; the latest listed for a task force).
    updates = (
        ActionUpdate.objects.filter(action__plan__taskforce__hotspot_id__in=ids)
        .filter(_visible(audience) & _visible(audience, "action__"))
        .filter(at__date__gte=period_start, at__date__lte=period_end)
    )
    for hotspot_pk, count in (
        updates.values_list("action__plan__taskforce__hotspot_id")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        by_id[hotspot_pk]["updates"] = count
    if kind == "taskforce":
        for row in updates.order_by("-at", "-pk").values(
            "action__plan__taskforce__hotspot_id",
            "action__title",
            "at",
            "new_status",
            "progress",
            "comment",
            "agency__name_fr",
            "agency__name_nl",
            *_bilingual_keys(Action, "title", "action__"),
            *_bilingual_keys(ActionUpdate, "comment"),
        )[:UPDATES_LISTED]:
            by_id[row["action__plan__taskforce__hotspot_id"]]["recent_updates"].append(
                {
                    **_text(row, "title", prefix="action__"),
                    "at": _iso(row["at"]),
                    "new_status": row["new_status"],
                    "progress": row["progress"],
                    **_text(row, "comment"),
                    "agency_fr": row["agency__name_fr"],
                    "agency_nl": row["agency__name_nl"],
                }
            )
    tick(40)

    # --- Police orders in force on the report date, and those expiring soon after.
    soon = as_of + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    orders = list(
        PoliceOrder.objects.filter(Q(hotspot__isnull=True) | Q(hotspot_id__in=ids))
        .filter(valid_from__lte=as_of, valid_until__gte=as_of)
        .select_related("hotspot")
        .order_by("valid_until", "pk")
    )
    regional_orders: list[dict[str, Any]] = []
    for order in orders:
        item = _order(order)
        item["expiring"] = order.valid_until <= soon
        if order.hotspot_id is None:
            regional_orders.append(item)
            continue
        by_id[order.hotspot_id]["orders_in_force"].append(item)
        if item["expiring"]:
            by_id[order.hotspot_id]["orders_expiring"].append(item)

    # --- Task-force meetings held during the period.
    meetings = (
        Meeting.objects.filter(
            taskforce__hotspot_id__in=ids,
            starts_at__date__gte=period_start,
            starts_at__date__lte=as_of,
            starts_at__lte=generated_at,
        )
        .annotate(
            attendance=Count(
                "participants", filter=Q(participants__status="attended"), distinct=True
            )
        )
        .order_by("starts_at", "pk")
        .values(
            "taskforce__hotspot_id",
            "starts_at",
            "place",
            "attendance",
            *_bilingual_keys(Meeting, "place"),
        )
    )
    for row in meetings:
        by_id[row["taskforce__hotspot_id"]]["meetings"].append(
            {"at": _iso(row["starts_at"]), **_text(row, "place"), "attendance": row["attendance"]}
        )
    tick(55)

    # --- Indicators: the months of the charts, the values per hotspot.
    months = indicator_months(as_of)
    definitions = list(IndicatorDefinition.objects.order_by("position", "code"))
    values: dict[tuple[int, int], dict[dt.date, Decimal]] = defaultdict(dict)
    for hotspot_pk, indicator_pk, month, value in IndicatorValue.objects.filter(
        hotspot_id__in=ids, month__gte=months[0], month__lte=months[-1]
    ).values_list("hotspot_id", "indicator_id", "month", "value"):
        values[(hotspot_pk, indicator_pk)][month] = value
    for hotspot_pk in ids:
        for definition in definitions:
            series = values.get((hotspot_pk, definition.pk))
            if not series:
                continue
            by_id[hotspot_pk]["indicators"].append(
                {
                    "code": definition.code,
                    "values": [_number(series.get(month)) for month in months],
                }
            )
    tick(70)

    # --- Displacements observed during the period.
    for row in (
        DisplacementReport.objects.filter(
            from_hotspot_id__in=ids,
            observed_on__gte=period_start,
            observed_on__lte=period_end,
        )
        .order_by("observed_on", "pk")
        .values(
            "from_hotspot_id",
            "observed_on",
            "place",
            "commune__name_fr",
            "commune__name_nl",
            "phenomenon",
            "severity",
            "status",
            *_bilingual_keys(DisplacementReport, "place"),
        )
    ):
        by_id[row["from_hotspot_id"]]["displacements"].append(
            {
                "observed_on": _iso(row["observed_on"]),
                **_text(row, "place"),
                "commune_fr": row["commune__name_fr"],
                "commune_nl": row["commune__name_nl"],
                "phenomenon": row["phenomenon"],
                "severity": row["severity"],
                "status": row["status"],
            }
        )

    # --- The map's background: every commune, or a task force's own communes.
    communes = Commune.objects.order_by("name_fr")
    if hotspot_id is not None:
        communes = communes.filter(hotspots=hotspot_id)
    commune_rows = [
        {"nis": c.nis_code, "name_fr": c.name_fr, "name_nl": c.name_nl, "boundary": c.boundary}
        for c in communes
    ]
    tick(80)

    items = [by_id[pk] for pk in ids]
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": kind,
        "audience": audience,
        "period": {"start": _iso(period_start), "end": _iso(period_end)},
        "as_of": _iso(as_of),
        "generated_at": _iso(generated_at),
        "strategy": _strategy(as_of),
        "indicator_months": [_iso(m) for m in months],
        "indicators": [
            {
                "code": d.code,
                "name_fr": d.name_fr,
                "name_nl": d.name_nl,
                "unit_fr": d.unit_fr,
                "unit_nl": d.unit_nl,
                "axis": d.axis,
                "lower_is_better": d.lower_is_better,
            }
            for d in definitions
        ],
        "communes": commune_rows,
        "hotspots": items,
        "regional_orders": regional_orders,
        "figures": figures(items, regional_orders),
        "changes": None,
    }
    # The strategy's list by phase on the report's date (intensive, hold, off the list).
    data["figures"]["hotspots_by_phase"] = hotspot_list.phase_counts(
        on=as_of, hotspots=Hotspot.objects.filter(pk=hotspot_id) if hotspot_id else None
    )
    return data


def figures(hotspots: list[dict[str, Any]], regional_orders: list[dict[str, Any]]) -> dict:
    """The key figures of the cover page, from the (already filtered) hotspot data."""
    progress = [p for h in hotspots for p in h["progress"]]
    counted = sum(p["count"] for p in progress)
    weighted = sum(p["average"] * p["count"] for p in progress)
    return {
        "hotspots_active": sum(1 for h in hotspots if h["status"] == Status.ACTIVE),
        "hotspots": len(hotspots),
        "actions": counted,
        "actions_done": sum(p["done"] for p in progress),
        "actions_late": sum(len(h["late"]) for h in hotspots),
        "actions_blocked": sum(h["blocked"] for h in hotspots),
        "average_progress": round(weighted / counted) if counted else 0,
        "escalations_open": sum(
            1 for h in hotspots for e in h["escalations"] if not e["resolved_on"]
        ),
        "orders_in_force": len(regional_orders) + sum(len(h["orders_in_force"]) for h in hotspots),
        "orders_expiring": sum(1 for o in regional_orders if o["expiring"])
        + sum(len(h["orders_expiring"]) for h in hotspots),
        "meetings_held": sum(len(h["meetings"]) for h in hotspots),
        "displacements": sum(len(h["displacements"]) for h in hotspots),
        "updates": sum(h["updates"] for h in hotspots),
    }


def compare(
    previous: dict[str, Any] | None, current: dict[str, Any], *, report: dict | None
) -> dict:
    """What changed since the previous report: statuses, new late actions, figures.

    ``report`` describes the previous report (id, version, period, generated_at) for the
    heading; with no previous report the section says so.
    """
    if previous is None:
        return {"previous": None}
    before = {h["code"]: h for h in previous.get("hotspots", [])}
    now = {h["code"]: h for h in current["hotspots"]}
    status_changes = [
        {
            "code": code,
            "name_fr": h["name_fr"],
            "name_nl": h["name_nl"],
            "old": before[code]["status"] if code in before else None,
            "new": h["status"],
        }
        for code, h in now.items()
        if code not in before or before[code]["status"] != h["status"]
    ]
    status_changes += [
        {
            "code": code,
            "name_fr": h["name_fr"],
            "name_nl": h["name_nl"],
            "old": h["status"],
            "new": None,
        }
        for code, h in before.items()
        if code not in now
    ]
    late_before = {a["id"] for h in before.values() for a in h.get("late", [])}
    new_late = [
        {
            "code": h["code"],
            "title": a["title"],
            "title_language": a.get("title_language", "fr"),
            "title_translation": a.get("title_translation", ""),
            "due_on": a["due_on"],
            "axis": a["axis"],
        }
        for h in now.values()
        for a in h["late"]
        if a["id"] not in late_before
    ]
    old_figures = previous.get("figures", {})
    deltas = [
        {
            "key": key,
            "old": old_figures.get(key),
            "new": current["figures"][key],
            "delta": None
            if old_figures.get(key) is None
            else current["figures"][key] - old_figures[key],
        }
        for key in FIGURE_KEYS
    ]
    return {
        "previous": report,
        "status_changes": sorted(status_changes, key=lambda c: c["code"]),
        "new_late": new_late,
        "figures": deltas,
        "late_resolved": len(late_before - {a["id"] for h in now.values() for a in h["late"]}),
    }
