"""Freeze a CoReS briefing: the region's data for each audience and the decisions asked.

A briefing reuses the regional report's snapshot (``reporting.snapshot.build``, already
filtered for its audience: the CoReS version holds no police-judicial item) and keeps
only what fits one page for the region and half a page per hotspot: the key figures,
the indicator trends (summed over the hotspots), the hotspot list and its phases, the
displacement warnings, the axis-balance warnings, the police orders to renew and the
strategy period's end. The decisions asked are frozen with their texts in both
languages. The police-judicial version adds an annex: the police-judicial actions of
each task force and their open escalations.

Plain JSON only (the renderer never reads the database), one dict per audience.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from typing import Any, cast

from django.utils import timezone

from coordination.people import confidentiality
from hotspots import models as hotspot_models
from hotspots.models import Hotspot
from reporting import snapshot as report_snapshot
from reporting.models import Briefing, BriefingDecisionAsked, Report
from taskforces.models import Action, Escalation

SCHEMA = 1
AUDIENCES = ("cores", "police_judicial")
#: Police orders whose last day falls within this many days are listed to renew.
ORDER_RENEW_DAYS = 60
#: Displacement reports named in a hotspot's half page (the most recent).
DISPLACEMENTS_NAMED = 3

_iso = report_snapshot._iso


def _phases(as_of: dt.date, ids: list[int]) -> tuple[str, dict[int, str]]:
    """Each hotspot's phase on ``as_of`` from the versioned hotspot list when the portal
    keeps it (``hotspots.selectors.hotspot_list``: ``list_as_of``, the rows behind
    ``hotspots_in_force``), else ("status", {}): the briefing shows the statuses."""
    try:
        module = importlib.import_module("hotspots.selectors.hotspot_list")
    except ImportError:
        return "status", {}
    list_as_of = getattr(module, "list_as_of", None)
    if list_as_of is None:
        return "status", {}
    phases = {
        row.hotspot.pk: str(row.phase) for row in list_as_of(on=as_of) if row.hotspot.pk in ids
    }
    return ("list" if phases else "status"), phases


def _displacement_warnings(ids: list[int], start: dt.date, as_of: dt.date) -> list[dict]:
    """The latest warned displacement quotient per hotspot and indicator in the period
    (``hotspots.DisplacementMeasure``, when the portal computes it)."""
    measure = getattr(hotspot_models, "DisplacementMeasure", None)
    if measure is None:
        return []
    latest: dict[tuple[int, int], dict] = {}
    rows = (
        measure.objects.filter(
            hotspot_id__in=ids,
            warned_at__isnull=False,
            month__gte=start.replace(day=1),
            month__lte=as_of,
        )
        .order_by("month", "pk")
        .values(
            "hotspot_id",
            "indicator_id",
            "indicator__name_fr",
            "indicator__name_nl",
            "month",
            "wdq",
            "tne",
            "code",
        )
    )
    for row in rows:
        latest[(row["hotspot_id"], row["indicator_id"])] = {
            "hotspot_id": row["hotspot_id"],
            "indicator_fr": row["indicator__name_fr"],
            "indicator_nl": row["indicator__name_nl"],
            "month": _iso(row["month"]),
            "wdq": report_snapshot._number(row["wdq"]),
            "tne": report_snapshot._number(row["tne"]),
            "code": row["code"],
        }
    return list(latest.values())


def _police_judicial_annex(ids: list[int], as_of: dt.date) -> dict[int, dict]:
    """Per hotspot: its police-judicial actions and their open escalations (the annex of
    the police-judicial version only)."""
    annex: dict[int, dict] = defaultdict(lambda: {"actions": [], "escalations_open": 0})
    rows = (
        Action.objects.filter(plan__taskforce__hotspot_id__in=ids)
        .filter(confidentiality.hidden())
        .order_by("axis", "due_on", "pk")
        .values(
            "pk",
            "plan__taskforce__hotspot_id",
            "axis",
            "title",
            "status",
            "progress",
            "due_on",
            *report_snapshot._bilingual_keys(Action, "title"),
        )
    )
    for row in rows:
        annex[row["plan__taskforce__hotspot_id"]]["actions"].append(
            {
                "id": row["pk"],
                "axis": row["axis"],
                **report_snapshot._text(row, "title"),
                "status": row["status"],
                "progress": row["progress"],
                "due_on": _iso(row["due_on"]),
                "late": bool(
                    row["due_on"]
                    and row["due_on"] < as_of
                    and row["status"] not in report_snapshot.CLOSED_ACTION
                ),
            }
        )
    for hotspot_pk in (
        Escalation.objects.filter(action__plan__taskforce__hotspot_id__in=ids)
        .filter(confidentiality.hidden("action__"))
        .filter(resolved_at__isnull=True)
        .values_list("action__plan__taskforce__hotspot_id", flat=True)
    ):
        annex[hotspot_pk]["escalations_open"] += 1
    return dict(annex)


def _decision(decision: BriefingDecisionAsked) -> dict[str, Any]:
    order = decision.order
    return {
        "id": decision.pk,
        "scope": decision.scope,
        "hotspot_id": decision.hotspot_id,
        "kind": decision.kind,
        **report_snapshot._object_text(decision, "proposal"),
        **report_snapshot._object_text(decision, "rationale"),
        "order": order
        and {
            "id": order.pk,
            "title_fr": order.title_fr,
            "title_nl": order.title_nl,
            "valid_until": _iso(order.valid_until),
        },
    }


def _renewals(data: dict[str, Any], as_of: dt.date) -> list[dict]:
    """The orders in force whose last day falls within ORDER_RENEW_DAYS, soonest first."""
    limit = _iso(as_of + dt.timedelta(days=ORDER_RENEW_DAYS)) or ""
    orders = [{**o, "code": ""} for o in data["regional_orders"]]
    orders += [{**o, "code": h["code"]} for h in data["hotspots"] for o in h["orders_in_force"]]
    keep = ("id", "code", "title_fr", "title_nl", "measures", "valid_until")
    return sorted(
        ({key: o.get(key) for key in keep} for o in orders if (o["valid_until"] or "") <= limit),
        key=lambda o: (o["valid_until"] or "", o["id"]),
    )


def _trends(data: dict[str, Any]) -> list[dict]:
    """Each indicator summed over the hotspots that have values, month by month."""
    sums: dict[str, list[float | None]] = {}
    counted: dict[str, int] = defaultdict(int)
    for hotspot in data["hotspots"]:
        for series in hotspot["indicators"]:
            row = sums.setdefault(series["code"], [None] * len(data["indicator_months"]))
            counted[series["code"]] += 1
            for index, value in enumerate(series["values"]):
                if value is not None:
                    row[index] = (row[index] or 0) + value
    return [
        {"code": code, "values": values, "hotspots": counted[code]} for code, values in sums.items()
    ]


def build(briefing: Briefing, *, audience: str, generated_at: dt.datetime) -> dict[str, Any]:
    """One audience's frozen briefing (see the module's doc)."""
    data = report_snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=briefing.period_start,
        period_end=briefing.period_end,
        audience=audience,
        generated_at=generated_at,
    )
    as_of = dt.date.fromisoformat(data["as_of"])
    decisions = list(briefing.decisions.select_related("order").order_by("position", "pk"))
    ids = [h["id"] for h in data["hotspots"]]
    # A hotspot a decision is about but not in the region's list (a proposed one to add).
    extra = sorted({d.hotspot_id for d in decisions if d.hotspot_id and d.hotspot_id not in ids})
    source, phases = _phases(as_of, ids + extra)
    warnings = _displacement_warnings(ids, briefing.period_start, as_of)
    annex = _police_judicial_annex(ids, as_of) if audience == "police_judicial" else {}
    hotspots = []
    for h in data["hotspots"]:
        displacements = h["displacements"]
        hotspots.append(
            {
                "id": h["id"],
                "code": h["code"],
                "name_fr": h["name_fr"],
                "name_nl": h["name_nl"],
                "status": h["status"],
                "phase": phases.get(h["id"]),
                "communes": h["communes"],
                "activated_on": h["activated_on"],
                "taskforce": h["taskforce"],
                "progress": h["progress"],
                "late": len(h["late"]),
                "blocked": h["blocked"],
                "escalations_open": sum(1 for e in h["escalations"] if not e["resolved_on"]),
                "meetings": len(h["meetings"]),
                "indicators": h["indicators"],
                "displacements": len(displacements),
                "displacement_places": [
                    {
                        key: d[key]
                        for key in (
                            "observed_on",
                            "place",
                            "place_language",
                            "place_translation",
                            "commune_fr",
                            "commune_nl",
                            "severity",
                        )
                    }
                    for d in displacements[-DISPLACEMENTS_NAMED:]
                ],
                "displacement_warnings": [w for w in warnings if w["hotspot_id"] == h["id"]],
                "balance_warnings": (h.get("balance") or {}).get("warnings", []),
                "decisions": [_decision(d) for d in decisions if d.hotspot_id == h["id"]],
                "police_judicial": annex.get(h["id"]),
            }
        )
    for hotspot in Hotspot.objects.filter(pk__in=extra).order_by("code"):
        hotspots.append(
            {
                "id": hotspot.pk,
                "code": hotspot.code,
                "name_fr": hotspot.name_fr,
                "name_nl": hotspot.name_nl,
                "status": hotspot.status,
                "phase": phases.get(hotspot.pk),
                "communes": [
                    {"nis": c.nis_code, "name_fr": c.name_fr, "name_nl": c.name_nl}
                    for c in hotspot.communes.order_by("name_fr")
                ],
                "activated_on": None,
                "taskforce": False,
                "progress": [],
                "late": 0,
                "blocked": 0,
                "escalations_open": 0,
                "meetings": 0,
                "indicators": [],
                "displacements": 0,
                "displacement_places": [],
                "displacement_warnings": [],
                "balance_warnings": [],
                "decisions": [_decision(d) for d in decisions if d.hotspot_id == hotspot.pk],
                "police_judicial": None,
            }
        )
    return {
        "schema": SCHEMA,
        "kind": "briefing",
        "audience": audience,
        "briefing": briefing.pk,
        "period": data["period"],
        "as_of": data["as_of"],
        "generated_at": data["generated_at"],
        "meeting": briefing.meeting and {"held_on": _iso(briefing.meeting.held_on)},
        "strategy": data["strategy"],
        "figures": data["figures"],
        "indicator_months": data["indicator_months"],
        "indicators": data["indicators"],
        "trends": _trends(data),
        "phase_source": source,
        "hotspots": hotspots,
        "displacement_warnings": len(warnings),
        "orders_to_renew": _renewals(data, as_of),
        "renew_within_days": ORDER_RENEW_DAYS,
        "decisions": [_decision(d) for d in decisions if d.hotspot_id is None],
    }


def freeze(briefing: Briefing, *, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """Both audiences' data, frozen at the same moment."""
    generated_at = generated_at or timezone.now()
    return {
        audience: build(briefing, audience=audience, generated_at=generated_at)
        for audience in AUDIENCES
    }


def for_report(report: Report) -> dict:
    """The data a briefing PDF is rendered from: its audience's frozen part, as it is."""
    briefing = cast(Briefing, report.briefing)
    frozen = cast(dict, briefing.snapshot)
    return {**frozen[report.audience], "changes": None}
