"""The template context of a CoReS briefing's PDF, from its frozen data only.

Rendered under the briefing's language (``reporting.render.render_html`` dispatches here
for snapshots of kind "briefing"), with the report's stylesheet, fetcher and PDF/UA
tagging; ``reporting/briefing.css`` keeps it to one page for the region and half a page
per hotspot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coordination.core import charts
from hotspots import models as hotspot_models
from reporting import render
from reporting.models import BriefingDecisionAsked
from taskforces.selectors import balance as axis_balance

TEMPLATE = "reporting/pdf/briefing.html"
STYLESHEET = "reporting/briefing.css"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _phase_labels() -> dict[str, str]:
    phases = getattr(hotspot_models, "HotspotPhase", None)
    return render._labels(phases.choices) if phases else {}


def _trend(values: list, lower_is_better: bool) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    direction = charts.trend(values)
    words = {"up": _("rising"), "down": _("falling"), "flat": _("stable")}
    return {
        "latest": known[-1] if known else None,
        "trend": direction,
        "trend_label": words[direction],
        "improving": None if direction == "flat" else (direction == "down") == lower_is_better,
    }


def _indicators(series_list: list[dict], definitions: dict, text: Any) -> list[dict]:
    rows = []
    for series in series_list:
        definition = definitions.get(series["code"])
        if definition is None:
            continue
        rows.append(
            {
                "name": text.pick(definition, "name"),
                "unit": text.pick(definition, "unit"),
                **_trend(series["values"], definition["lower_is_better"]),
                "hotspots": series.get("hotspots"),
            }
        )
    return rows


def _decision(item: dict, text: Any, kinds: dict[str, str]) -> dict[str, Any]:
    order = item.get("order")
    return {
        **item,
        "kind_label": kinds.get(item["kind"], item["kind"]),
        "order": order
        and {
            **order,
            "title": text.pick(order, "title"),
            "valid_until": _date(order["valid_until"]),
        },
    }


def context(snapshot: dict, *, language: str, meta: dict) -> dict[str, Any]:
    """The briefing's template context, in the active language (call under override)."""
    text = render._Text(language)
    phases = _phase_labels()
    kinds = render._labels(BriefingDecisionAsked.Kind.choices)
    definitions = {d["code"]: d for d in snapshot["indicators"]}
    months = [_date(m) for m in snapshot["indicator_months"]]
    hotspots = []
    for h in snapshot["hotspots"]:
        hotspots.append(
            {
                **h,
                "name": text.pick(h, "name"),
                "anchor": f"hotspot-{h['id']}",
                "status_label": text.hotspot_status.get(h["status"], h["status"]),
                "phase_label": phases.get(h["phase"] or "", ""),
                "communes": ", ".join(text.pick(c, "name") for c in h["communes"]),
                "progress": render._axis_progress(h["progress"], text),
                "indicators": _indicators(h["indicators"], definitions, text),
                "displacement_places": [
                    {
                        **d,
                        "observed_on": _date(d["observed_on"]),
                        "commune": text.pick(d, "commune"),
                        "severity_label": text.severity.get(d["severity"], d["severity"]),
                    }
                    for d in h["displacement_places"]
                ],
                "displacement_warnings": [
                    {**w, "indicator": text.pick(w, "indicator"), "month": _date(w["month"])}
                    for w in h["displacement_warnings"]
                ],
                "balance_warnings": [axis_balance.describe(w) for w in h["balance_warnings"]],
                "decisions": [_decision(d, text, kinds) for d in h["decisions"]],
                "police_judicial": h.get("police_judicial")
                and {
                    **h["police_judicial"],
                    "actions": [
                        {
                            **a,
                            "axis_label": text.axis.get(a["axis"], a["axis"]),
                            "status_label": text.action_status.get(a["status"], a["status"]),
                            "due_on": _date(a["due_on"]),
                        }
                        for a in h["police_judicial"]["actions"]
                    ],
                },
            }
        )
    renewals = [
        {
            **o,
            "title": text.pick(o, "title"),
            "measures": ", ".join(text.measure.get(c, c) for c in o["measures"]),
            "valid_until": _date(o["valid_until"]),
        }
        for o in snapshot["orders_to_renew"]
    ]
    for h in hotspots:
        h["orders_to_renew"] = [o for o in renewals if o["code"] == h["code"]]
    by_phase: dict[str, int] = {}
    for h in hotspots:
        label = h["phase_label"] or h["status_label"]
        by_phase[label] = by_phase.get(label, 0) + 1
    strategy = snapshot.get("strategy")
    period = strategy and strategy.get("period")
    return {
        "language": language,
        "police_judicial": snapshot["audience"] == "police_judicial",
        "period_start": _date(snapshot["period"]["start"]),
        "period_end": _date(snapshot["period"]["end"]),
        "as_of": _date(snapshot["as_of"]),
        "generated_at": render._datetime(snapshot["generated_at"]),
        "version": meta.get("version"),
        "meeting_on": _date((snapshot.get("meeting") or {}).get("held_on")),
        "strategy": strategy
        and {
            **strategy,
            "title": text.pick(strategy, "title"),
            "period": period
            and {
                **period,
                "starts_on": _date(period["starts_on"]),
                "ends_on": _date(period["ends_on"]),
                "next_ends_on": _date(period["next_ends_on"]),
            },
        },
        "figures": snapshot["figures"],
        "trend_months": (
            f"{date_format(months[0], 'N Y')} – {date_format(months[-1], 'N Y')}"
            if months and months[0] and months[-1]
            else ""
        ),
        "trends": _indicators(snapshot["trends"], definitions, text),
        "phase_source": snapshot["phase_source"],
        "by_phase": sorted(by_phase.items()),
        "hotspots": hotspots,
        "displacement_alerts": [h for h in hotspots if h["displacement_warnings"]],
        "displacement_reports": sum(h["displacements"] for h in hotspots),
        "imbalanced": [h for h in hotspots if h["balance_warnings"]],
        "orders_to_renew": renewals,
        "renew_within_days": snapshot["renew_within_days"],
        "decisions": [_decision(d, text, kinds) for d in snapshot["decisions"]],
        "annex": [h for h in hotspots if h["police_judicial"]],
        "stylesheet": render.static_url(render.STYLESHEET),
        "briefing_stylesheet": render.static_url(STYLESHEET),
    }


def render_html(snapshot: dict, *, language: str, meta: dict) -> str:
    """The briefing's HTML (call under ``translation.override(language)``)."""
    return render_to_string(TEMPLATE, context(snapshot, language=language, meta=meta))
