"""Render a report's frozen snapshot to PDF with WeasyPrint.

The renderer reads the snapshot only, never the database: a ready report rendered again
gives the same text. Headings come from ``{% translate %}`` under the report's language.

WeasyPrint fetches nothing but the app's own static files: :class:`StaticOnlyFetcher`
serves URLs of the fake ``portal-static://report/static/...`` origin from the static
files (the finders, or STATIC_ROOT after collectstatic) and refuses every other URL
(http, https, file, data...). User text reaches the PDF only through the autoescaping
template, and the charts and the map escape what they write.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import mimetypes
import posixpath
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils._os import safe_join
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coordination.core import basemap, charts
from coordination.models import Axis
from hotspots.models import Hotspot, MayorDecision, MeasureType, Phenomenon
from taskforces.models import Action, DisplacementReport
from taskforces.selectors import balance as axis_balance

logger = logging.getLogger(__name__)

SCHEME = "portal-static"
BASE_URL = f"{SCHEME}://report/"
STYLESHEET = "reporting/report.css"
# Tagged PDF for screen readers (PDF/UA-1): a structure tree from the HTML elements, the
# document language from <html lang>, the title shown instead of the file name, images
# and SVG figures with their /Alt (the SVG's <title>), backgrounds and borders as
# artifacts. Every font is a subset embedded by WeasyPrint (DejaVu, see report.css).
PDF_VARIANT = "pdf/ua-1"

# urljoin only resolves relative references for the schemes it knows: teach it ours so
# that "fonts/x.ttf" in the stylesheet resolves against the stylesheet's own URL.
for _registry in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
    if SCHEME not in _registry:
        _registry.append(SCHEME)


class FetchRefused(ValueError):
    """WeasyPrint asked for something that is not one of the app's static files."""


def _static_prefix() -> str:
    prefix = urllib.parse.urlsplit(settings.STATIC_URL).path.strip("/")
    return f"/{prefix}/" if prefix else "/"


def static_url(path: str) -> str:
    """The internal URL under which the renderer sees the static file ``path``."""
    return f"{SCHEME}://report{_static_prefix()}{path}"


def static_file(url: str) -> Path:
    """The static file an internal URL names; :class:`FetchRefused` for anything else."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != SCHEME or parts.netloc != "report" or parts.query:
        raise FetchRefused(f"not an internal static URL: {url[:200]}")
    prefix = _static_prefix()
    path = urllib.parse.unquote(parts.path)
    if not path.startswith(prefix):
        raise FetchRefused(f"outside the static files: {url[:200]}")
    relative = path[len(prefix) :]
    if not relative or "\\" in relative or "\x00" in relative:
        raise FetchRefused(f"not a static file: {url[:200]}")
    if posixpath.normpath(relative) != relative or relative.startswith(("/", "..")):
        raise FetchRefused(f"not a plain static path: {url[:200]}")
    found = finders.find(relative)
    if found is None and settings.STATIC_ROOT:
        candidate = Path(safe_join(settings.STATIC_ROOT, relative))
        found = str(candidate) if candidate.is_file() else None
    if not found:
        raise FetchRefused(f"no such static file: {url[:200]}")
    return Path(found)


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and nothing else."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# --- From the snapshot to the template's context ----------------------------------------


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


class _Text:
    """Labels of coded values and the French or Dutch half of bilingual data."""

    def __init__(self, language: str):
        self.language = language
        self.hotspot_status = _labels(Hotspot.Status.choices)
        self.action_status = _labels(Action.Status.choices)
        self.axis = _labels(Axis.choices)
        self.decision = _labels(MayorDecision.Decision.choices)
        self.phenomenon = _labels(Phenomenon.choices)
        self.measure = _labels(MeasureType.choices)
        self.severity = _labels(DisplacementReport.Severity.choices)
        self.displacement_status = _labels(DisplacementReport.Status.choices)

    def pick(self, item: dict, field: str) -> str:
        return item.get(f"{field}_{self.language}") or item.get(f"{field}_fr") or ""


def _axis_progress(rows: list[dict], text: _Text) -> list[dict]:
    by_axis = {row["axis"]: row for row in rows}
    return [
        {
            "label": text.axis[axis],
            "axis": axis,
            "count": by_axis.get(axis, {}).get("count", 0),
            "done": by_axis.get(axis, {}).get("done", 0),
            "average": by_axis.get(axis, {}).get("average"),
        }
        for axis in Axis.values
    ]


def _balance(frozen: dict | None, text: _Text) -> dict | None:
    """The frozen balance of the axes, its warnings worded in the report's language (the
    snapshot holds codes only). None for a hotspot without task force, or a snapshot
    frozen before the balance existed."""
    if not frozen:
        return None
    by_axis = {row["axis"]: row for row in frozen.get("axes", [])}
    return {
        **frozen,
        "axes": [
            {
                "actions": 0,
                "actions_pct": 0,
                "progress": None,
                "points_pct": 0,
                "updates": 0,
                "updates_pct": 0,
                **by_axis.get(axis, {}),
                "axis": axis,
                "label": text.axis[axis],
                "last_update": _datetime(by_axis.get(axis, {}).get("last_update")),
            }
            for axis in Axis.values
        ],
        "warnings": [
            {**warning, "text": axis_balance.describe(warning)}
            for warning in frozen.get("warnings", [])
        ],
    }


def _action(item: dict, text: _Text) -> dict:
    return {
        **item,
        "axis_label": text.axis.get(item["axis"], item["axis"]),
        "status_label": text.action_status.get(item["status"], item["status"]),
        "due_on": _date(item["due_on"]),
        "lead": text.pick(item, "lead"),
    }


def _order(item: dict, text: _Text) -> dict:
    return {
        **item,
        "title": text.pick(item, "title"),
        "measures": ", ".join(text.measure.get(code, code) for code in item["measures"]),
        "valid_from": _date(item["valid_from"]),
        "valid_until": _date(item["valid_until"]),
    }


def _charts(hotspot: dict, snapshot: dict, text: _Text) -> list[dict]:
    months = [cast(dt.date, _date(m)) for m in snapshot["indicator_months"]]
    labels = [date_format(m, "N Y") for m in months]  # "juin 2026", "juil. 2026"
    definitions = {d["code"]: d for d in snapshot["indicators"]}
    items = []
    for series in hotspot["indicators"]:
        definition = definitions.get(series["code"])
        if definition is None:
            continue
        values = series["values"]
        name, unit = text.pick(definition, "name"), text.pick(definition, "unit")
        known = [v for v in values if v is not None]
        direction = charts.trend(values)
        svg = charts.line_chart_svg(
            points=list(zip(labels, values, strict=True)),
            title=name,
            unit=unit,
            width=300,
            height=130,
            lower_is_better=definition["lower_is_better"],
            # The PDF's /Alt of the chart: the series, its latest value and its trend.
            summary_in_title=True,
        )
        items.append(
            {
                "name": name,
                "unit": unit,
                "axis_label": text.axis.get(definition["axis"], ""),
                # Safe: line_chart_svg escapes every text it writes.
                "svg": mark_safe(svg),  # noqa: S308
                "latest": known[-1] if known else None,
                "trend": direction,
                "improving": None
                if direction == "flat"
                else (direction == "down") == definition["lower_is_better"],
            }
        )
    return items


def _hotspot(item: dict, snapshot: dict, text: _Text) -> dict:
    return {
        **item,
        "name": text.pick(item, "name"),
        "anchor": f"hotspot-{item['id']}",
        "status_label": text.hotspot_status.get(item["status"], item["status"]),
        "communes": ", ".join(text.pick(c, "name") for c in item["communes"]),
        "phenomena": ", ".join(text.phenomenon.get(code, code) for code in item["phenomena"]),
        "approved_on": _date(item["approved_on"]),
        "activated_on": _date(item["activated_on"]),
        "closed_on": _date(item["closed_on"]),
        "approvals": [
            {
                "commune": text.pick(a, "commune"),
                "decision": a["decision"],
                "decision_label": text.decision.get(a["decision"], a["decision"]),
                "decided_on": _date(a["decided_on"]),
                "decided_by": a["decided_by"],
            }
            for a in item["approvals"]
        ],
        "progress": _axis_progress(item["progress"], text),
        "balance": _balance(item.get("balance"), text),
        "late": [_action(a, text) for a in item["late"]],
        "escalations": [
            {
                **e,
                "axis_label": text.axis.get(e["axis"], e["axis"]),
                "raised_on": _date(e["raised_on"]),
                "resolved_on": _date(e["resolved_on"]),
            }
            for e in item["escalations"]
        ],
        "orders_in_force": [_order(o, text) for o in item["orders_in_force"]],
        "meetings": [{**m, "at": _datetime(m["at"])} for m in item["meetings"]],
        # Drawn by :func:`_draw` (the charts and the inset map), only when rendered.
        "charts": [],
        "inset": "",
        "displacements": [
            {
                **d,
                "observed_on": _date(d["observed_on"]),
                "commune": text.pick(d, "commune"),
                "phenomenon_label": text.phenomenon.get(d["phenomenon"], d["phenomenon"]),
                "severity_label": text.severity.get(d["severity"], d["severity"]),
                "status_label": text.displacement_status.get(d["status"], d["status"]),
            }
            for d in item["displacements"]
        ],
        "axes": [
            {
                "label": text.axis[axis],
                "actions": [_action(a, text) for a in item["actions"] if a["axis"] == axis],
            }
            for axis in Axis.values
        ],
        "recent_updates": [
            {
                **u,
                "at": _datetime(u["at"]),
                "agency": text.pick(u, "agency"),
                "status_label": text.action_status.get(u["new_status"], ""),
            }
            for u in item["recent_updates"]
        ],
    }


def map_description(hotspots: list[dict], *, regional: bool) -> str:
    """The text alternative of the map: what it shows, each drawn hotspot and its status.

    The SVG's ``<title>`` carries it: the web reads it as the accessible name and
    WeasyPrint as the ``/Alt`` of the map's Figure in the tagged PDF. The table beside
    the map is the list equivalent.
    """
    drawn = [h for h in hotspots if h.get("perimeter")]
    if not drawn:
        return str(_("Map of the communes of the Brussels-Capital Region: no hotspot perimeter."))
    items = "; ".join(
        _("%(code)s %(name)s (%(communes)s): %(status)s")
        % {
            "code": h["code"],
            "name": h["name"],
            "communes": h["communes"],
            "status": h["status_label"],
        }
        for h in drawn
    )
    if regional:
        summary = ngettext(
            "Map of the Brussels-Capital Region showing the perimeter of %(count)s hotspot, "
            "labelled with its code",
            "Map of the Brussels-Capital Region showing the perimeters of %(count)s hotspots, "
            "labelled with their codes",
            len(drawn),
        ) % {"count": len(drawn)}
    else:
        summary = _("Map of the hotspot's perimeter in the Brussels-Capital Region")
    return f"{summary}. {items}."


#: The legend of the maps: one entry per drawing style, named by the statuses it shows.
_LEGEND = (
    ("active", (Hotspot.Status.ACTIVE, Hotspot.Status.APPROVED)),
    ("pending", (Hotspot.Status.AWAITING_APPROVAL, Hotspot.Status.PROPOSED)),
    ("closed", (Hotspot.Status.CLOSED, Hotspot.Status.REJECTED)),
)


def map_legend(text: _Text) -> list[basemap.LegendEntry]:
    """The legend of the region map, e.g. "Active / Approved", in the report's language."""
    return [
        basemap.LegendEntry(style, " / ".join(text.hotspot_status[s] for s in statuses))
        for style, statuses in _LEGEND
    ]


def region_map(
    snapshot: dict, text: _Text, hotspots: list[dict], *, regional: bool
) -> basemap.MapResult | None:
    """The region map over the streets, or None when there is nothing to draw."""
    communes = [
        (c["boundary"], text.pick(c, "name")) for c in snapshot["communes"] if c.get("boundary")
    ]
    areas = [
        basemap.RegionArea(code=h["code"], geometry=h["perimeter"], status=h["status"])
        for h in snapshot["hotspots"]
        if h.get("perimeter")
    ]
    if not communes and not areas:
        return None
    return basemap.render_region_map(
        communes=communes,
        areas=areas,
        legend=map_legend(text),
        title=map_description(hotspots, regional=regional),
    )


def _map(snapshot: dict, text: _Text, hotspots: list[dict], *, regional: bool) -> str:
    result = region_map(snapshot, text, hotspots, regional=regional)
    # Safe: the renderer escapes every label and name it writes.
    return mark_safe(result.svg) if result else ""  # noqa: S308


def inset_description(hotspot: dict, street_names: Iterable[str]) -> str:
    """The text alternative of a hotspot's inset map: the perimeter and the streets named."""
    names = ", ".join(street_names)
    base = _("Map of the perimeter of %(code)s %(name)s over its streets") % {
        "code": hotspot["code"],
        "name": hotspot["name"],
    }
    if not names:
        return f"{base}."
    return _("%(map)s; streets named: %(streets)s.") % {"map": base, "streets": names}


def _inset(hotspot: dict, language: str) -> str:
    if not hotspot.get("perimeter"):
        return ""
    # The streets are named in the report's language (French in English reports).
    street_language = "nl" if language == "nl" else "fr"
    result = basemap.render_inset_map(
        geometry=hotspot["perimeter"],
        status=hotspot["status"],
        title=lambda names: inset_description(hotspot, names),
        language=street_language,
    )
    # Safe: the renderer escapes every name it writes.
    return mark_safe(result.svg)  # noqa: S308


def _changes(snapshot: dict, text: _Text) -> dict | None:
    changes = snapshot.get("changes")
    if not changes or not changes.get("previous"):
        return None
    previous = changes["previous"]
    return {
        "previous": {
            **previous,
            "start": _date(previous["start"]),
            "end": _date(previous["end"]),
            "generated_at": _datetime(previous["generated_at"]),
        },
        "status_changes": [
            {
                **c,
                "name": text.pick(c, "name"),
                "old_label": text.hotspot_status.get(c["old"], "") if c["old"] else "",
                "new_label": text.hotspot_status.get(c["new"], "") if c["new"] else "",
            }
            for c in changes["status_changes"]
        ],
        "new_late": [
            {**a, "due_on": _date(a["due_on"]), "axis_label": text.axis.get(a["axis"], "")}
            for a in changes["new_late"]
        ],
        "figures": {row["key"]: row for row in changes["figures"]},
        "late_resolved": changes.get("late_resolved", 0),
    }


def _draw(hotspot: dict, snapshot: dict, text: _Text) -> None:
    """Adds the hotspot's charts and inset map, the costly part of its chapter."""
    hotspot["charts"] = _charts(hotspot, snapshot, text)
    hotspot["inset"] = _inset(hotspot, text.language)


def _undraw(hotspot: dict) -> None:
    hotspot["charts"], hotspot["inset"] = [], ""


def _overview_rows(hotspots: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows of the late and escalated actions' chapter: the late actions, then the
    escalations, numbered in that order (``index``) across both tables."""
    late = [{"code": h["code"], "item": a} for h in hotspots for a in h["late"]]
    escalations = [{"code": h["code"], "item": e} for h in hotspots for e in h["escalations"]]
    for index, row in enumerate([*late, *escalations]):
        row["index"] = index
    return late, escalations


def _overview(
    late: list[dict], escalations: list[dict], start: int = 0, end: int | None = None
) -> dict[str, Any]:
    """What the template shows of the late and escalated actions' chapter: its rows
    ``start`` to ``end`` (:func:`_overview_rows`' numbers), the whole chapter by default.

    A part from row 0 has the chapter's heading and anchor; a part starting in a table
    continues it (its header repeated, as on a new page of the single document); the
    escalations' heading comes with their first row (a heading never ends a page).
    """
    count = len(late)
    total = count + len(escalations)
    end = total if end is None else end
    # The part reaches the escalations' table (empty when there is none).
    escalations_part = end > count or end == total
    return {
        "first": start == 0,
        "late_table": start < count or start == 0,
        "late": late[start : min(end, count)],
        "escalations_heading": escalations_part and start <= count,
        "escalations_table": escalations_part,
        "escalations": escalations[max(start - count, 0) : max(end - count, 0)],
    }


def context(snapshot: dict, *, language: str, meta: dict, drawn: bool = True) -> dict[str, Any]:
    """The template context of the PDF, in the active language (call under override).

    ``meta`` describes the report itself (version, requested_at) — not data of the period.
    ``drawn=False`` leaves out the charts and maps (the sections draw them one by one,
    :func:`render_sections`).
    """
    text = _Text(language)
    hotspots = [_hotspot(h, snapshot, text) for h in snapshot["hotspots"]]
    if drawn:
        for h in hotspots:
            _draw(h, snapshot, text)
    strategy = snapshot.get("strategy")
    period = strategy and strategy.get("period")
    kind = snapshot["kind"]
    first = hotspots[0] if hotspots else None
    return {
        "language": language,
        "kind": kind,
        "regional": kind == "regional",
        "hotspot": first if kind == "taskforce" else None,
        "police_judicial": snapshot["audience"] == "police_judicial",
        "period_start": _date(snapshot["period"]["start"]),
        "period_end": _date(snapshot["period"]["end"]),
        "as_of": _date(snapshot["as_of"]),
        "generated_at": _datetime(snapshot["generated_at"]),
        "version": meta.get("version"),
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
        "changes": _changes(snapshot, text),
        "hotspots": hotspots,
        "awaiting": [h for h in hotspots if h["status"] == Hotspot.Status.AWAITING_APPROVAL],
        "balanced_hotspots": [h for h in hotspots if h["balance"]],
        "imbalanced": sum(1 for h in hotspots if h["balance"] and h["balance"]["warnings"]),
        "regional_orders": [_order(o, text) for o in snapshot["regional_orders"]],
        "expiring": [
            {**_order(o, text), "hotspot_name": h["name"], "code": h["code"]}
            for h in hotspots
            for o in h["orders_expiring"]
        ]
        + [
            {**_order(o, text), "hotspot_name": "", "code": ""}
            for o in snapshot["regional_orders"]
            if o["expiring"]
        ],
        "map": _map(snapshot, text, hotspots, regional=kind == "regional") if drawn else "",
        # The late and escalated actions' chapter, whole; :func:`render_sections` renders
        # it by parts of its rows.
        "overview": _overview(*_overview_rows(hotspots)),
        "stylesheet": static_url(STYLESHEET),
        # The whole report by default; :func:`render_sections` renders its parts.
        "part": None,
        "section_hotspots": hotspots,
        "section_css": "",
        "toc": None,
    }


def render_html(snapshot: dict, *, language: str, meta: dict | None = None) -> str:
    if snapshot.get("kind") == "briefing":
        return render_briefing_html(snapshot, language=language, meta=meta)
    with translation.override(language):
        return render_to_string(
            "reporting/pdf/report.html", context(snapshot, language=language, meta=meta or {})
        )


def render_briefing_html(snapshot: dict, *, language: str, meta: dict | None = None) -> str:
    """A CoReS briefing (``reporting.briefings``): the same fetcher, fonts and tagging."""
    # Imported here: the briefing's renderer builds on this module's helpers.
    from reporting.briefings import render as briefing_render

    with translation.override(language):
        return briefing_render.render_html(snapshot, language=language, meta=meta or {})


def _document(html: str) -> Any:
    return HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher(), media_type="print"
    ).render(pdf_variant=PDF_VARIANT)


#: From this size on, a regional report is rendered section by section (see
#: :func:`render_sections`): WeasyPrint's memory grows with the pages of one document
#: (about 2.5 MB a page), so a single document of 150 hotspots needs 1.5 GB. The 1×
#: benchmark region (15 hotspots, 600 actions, 59 pages) stays one document (333 MB).
#: A regional report lists the late and escalated actions (not all the actions): their
#: rows are what grows with the actions.
SECTIONS_FROM_HOTSPOTS = 20
SECTIONS_FROM_ROWS = 400


def use_sections(snapshot: dict) -> bool:
    """Whether ``snapshot`` is big enough to be rendered by sections."""
    if snapshot.get("kind") != "regional":
        return False
    hotspots = snapshot.get("hotspots", [])
    rows = sum(len(h.get("late", [])) + len(h.get("escalations", [])) for h in hotspots)
    return len(hotspots) >= SECTIONS_FROM_HOTSPOTS or rows >= SECTIONS_FROM_ROWS


def render_pdf(
    snapshot: dict,
    *,
    language: str,
    meta: dict | None = None,
    sections: bool | None = None,
) -> tuple[bytes, int]:
    """The PDF of ``snapshot`` in ``language`` and its number of pages.

    Small reports are one tagged WeasyPrint document (PDF/UA-1). Big regional reports
    (:func:`use_sections`, or ``sections=True``) are rendered by sections to bound the
    memory: see :func:`render_sections` for what that costs.
    """
    if sections is None:
        sections = use_sections(snapshot)
    if sections and snapshot.get("kind") == "regional":
        return render_sections(snapshot, language=language, meta=meta)
    document = _document(render_html(snapshot, language=language, meta=meta))
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


class _OtherSections(logging.Filter):
    """Silences WeasyPrint's error on the contents' links to the other sections' anchors
    (linked again once the sections are assembled)."""

    def __init__(self, anchors: Iterable[str]):
        super().__init__()
        self.anchors = set(anchors)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.msg == "No anchor #%s for internal URI reference"
            and bool(record.args)
            and cast(tuple, record.args)[0] in self.anchors
        )


#: The longest the assembly process may take (it took 6 s for 536 pages).
ASSEMBLY_TIMEOUT = 120


def assemble_apart(
    files: Sequence[Path],
    *,
    language: str,
    links: Iterable[tuple[int, int, tuple]],
    continued: Iterable[int] = (),
) -> bytes:
    """:func:`~reporting.pdf_assembly.assemble` in a process of its own (Python and
    pikepdf only, no Django): its memory is returned when it ends, and never adds to
    what the sections' layouts left in this process."""
    folder = Path(files[0]).parent
    arguments, output = folder / "assembly.json", folder / "report.pdf"
    arguments.write_text(
        json.dumps(
            {
                "files": [str(f) for f in files],
                "language": language,
                "links": list(links),
                "continued": list(continued),
            }
        )
    )
    # Our own module, our own files: no untrusted input reaches the command.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "reporting.pdf_assembly", str(arguments), str(output)],
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
        capture_output=True,
        text=True,
        # Seconds for 536 pages: a child that hangs fails the build (retried), it never
        # holds the worker until the task's hard time limit.
        timeout=ASSEMBLY_TIMEOUT,
    )
    if done.returncode:
        raise RuntimeError(f"PDF assembly failed: {done.stderr[-2000:]}")
    peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"]
    logger.info("Report assembled apart, peak memory %s MB", peak, extra={"peak_rss_mb": peak})
    return output.read_bytes()


#: Points per CSS pixel.
PX = 0.75


def _css_string(value: str) -> str:
    """``value`` as a CSS string: every character but letters, digits and spaces escaped."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in value)
    return f'"{escaped}"'


def _section_css(
    *, first_page: int, running_header: bool, chapter: str | None = None
) -> SafeString:
    """The page numbers of a section: its first page's number, and no total (a section
    is rendered before the later ones are laid out). ``chapter``: the running header of
    a section that continues a chapter (its heading, which sets it, is in the previous
    section)."""
    css = f"@page :first {{ counter-reset: page {first_page}; }}"
    css += " @page { @bottom-right { content: counter(page); } }"
    if chapter is not None:
        header = _css_string(chapter)
        css += f" @page {{ @top-right {{ content: {header}; }} }}"
        css += f" @page :first {{ @top-right {{ content: {header}; }} }}"
    elif running_header:
        # Not the cover: the section's first page keeps its running header.
        css += " @page :first { @top-right { content: string(section, start); } }"
    # Safe: built here from integers and an escaped CSS string only.
    return mark_safe(css)  # noqa: S308


#: A section of hotspot chapters holds at most this many hotspots, or about this many
#: table rows: WeasyPrint's memory grows with the pages of a document (about 2.5 MB a
#: page) and each document costs its stylesheet and fonts again (about 0.1 s).
SECTION_HOTSPOTS = 8
SECTION_ROWS = 400
#: The late and escalated actions' chapter is rendered by parts of at most this many
#: rows (:func:`_overview`): one document of all of them set the peak (51 pages at 150
#: hotspots). Each part but the last leaves out its last page, laid out again as the
#: next part's first: a part ends where a page of the single document ends.
OVERVIEW_ROWS = 400


def _groups(hotspots: list[dict]) -> list[list[dict]]:
    """The hotspots in order, grouped into sections of bounded size."""
    groups: list[list[dict]] = []
    rows = 0
    for h in hotspots:
        size = sum(
            len(h[key])
            for key in ("late", "escalations", "orders_in_force", "meetings", "displacements")
        )
        if not groups or len(groups[-1]) >= SECTION_HOTSPOTS or rows + size > SECTION_ROWS:
            groups.append([])
            rows = 0
        groups[-1].append(h)
        rows += size
    return groups


#: The anchors of the front's chapters, listed in the contents before the hotspots.
_FRONT = ("figures", "decisions", "changes", "map", "orders")


class _Anchor:
    """Where an element with an id starts: page index in the report, point in PDF units."""

    def __init__(self, page: int, x: float, y: float):
        self.page, self.x, self.y = page, x, y


def _first_row(page: Any) -> int | None:
    """The number (``data-row``) of the first numbered table row laid out on ``page``."""
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "tr":
            row = element.get("data-row")
            if row is not None:
                return int(row)
    return None


def _write(
    html: str,
    path: Path,
    first: int,
    quiet: Iterable[str] = (),
    rows_from: int | None = None,
) -> tuple[int, Any, int | None]:
    """Lays ``html`` out, writes its PDF to ``path``; its pages and anchors (from the
    report's page index ``first`` on). The layout is freed before returning.

    ``rows_from``: the number of the section's first table row (``data-row``), for a
    section that the next one continues. Its last page is left out when it starts with
    a later row, whose number is returned: the next section starts with that row, on a
    page laid out as it would be in the single document.
    """
    document = _document(html)
    resume: int | None = None
    if rows_from is not None and len(document.pages) > 1:
        row = _first_row(document.pages[-1])
        if row is not None and row > rows_from:
            resume = row
            document = document.copy(document.pages[:-1])
    anchors: dict[str, _Anchor] = {}
    for index, page in enumerate(document.pages):
        for name, (x, y, *_size) in page.anchors.items():
            # An element split over pages is anchored on each: its start is the first.
            anchors.setdefault(name, _Anchor(first + index, x * PX, (page.height - y) * PX))
    links = [
        (index, target, rectangle, page.height)
        for index, page in enumerate(document.pages)
        for kind, target, rectangle, _box in page.links
        if kind == "internal"
    ]
    weasyprint_logger = logging.getLogger("weasyprint")
    filter_ = _OtherSections(quiet)
    weasyprint_logger.addFilter(filter_)
    try:
        document.write_pdf(target=str(path), pdf_variant=PDF_VARIANT)
    finally:
        weasyprint_logger.removeFilter(filter_)
    pages = len(document.pages)
    del document
    gc.collect()  # the boxes hold cycles: free the layout before the next section
    return pages, (anchors, links), resume


def render_sections(
    snapshot: dict, *, language: str, meta: dict | None = None
) -> tuple[bytes, int]:
    """The report rendered section by section and assembled (:mod:`reporting.pdf_assembly`).

    The sections are WeasyPrint documents of their own, each starting a page as in the
    single document: the head (cover and contents), the front (key figures to the
    changes), the map and the police orders, the late and escalated actions by parts of
    their rows (:data:`OVERVIEW_ROWS`, :func:`_overview`), then the hotspots' chapters a
    few at a time (:func:`_groups`). Each is laid out once, written to a file and released, and its
    charts and maps are drawn only then: the peak memory is that of the biggest section,
    not of the report. The head is laid out first without drawing only to count its
    pages (the contents' page numbers are as wide as any), the sections after it then
    start at known page numbers, and the head is rendered last with the pages where each
    chapter starts. The footers give the page number without the report's total
    ("12", not "12 / 536"): the total is known only once the last section is laid out.

    :func:`assemble_apart` keeps the metadata, language, bookmarks and tagging; the costs: each
    section embeds its own font subsets (a bigger file), and the contents' links to the
    chapters are annotations added by the assembly, outside the structure tree (their
    Link elements keep their text but not their annotation). Small reports stay one
    WeasyPrint document (:func:`use_sections`).
    """
    meta = meta or {}
    with translation.override(language):
        text = _Text(language)
        base = context(snapshot, language=language, meta=meta, drawn=False)
        hotspots = base["hotspots"]
        anchors = [*_FRONT, "overview", *(h["anchor"] for h in hotspots)]

        def html(part: str, first_page: int, chapter: str | None = None, **extra: Any) -> str:
            css = _section_css(
                first_page=first_page, running_header=part != "head", chapter=chapter
            )
            return render_to_string(
                "reporting/pdf/report.html",
                {**base, "part": part, "section_hotspots": [], "section_css": css, **extra},
            )

        def head(toc: dict[str, int]) -> str:
            for h in hotspots:
                h["toc_page"] = toc[h["anchor"]]
            return html("head", 1, toc=toc)

        # The head's pages, with numbers as wide as any: the same lines as the real ones.
        document = _document(head(dict.fromkeys(anchors, 9999)))
        head_pages = len(document.pages)
        del document
        gc.collect()

        with tempfile.TemporaryDirectory(prefix="report-") as folder:
            files = [Path(folder) / "0.pdf"]
            # The sections that continue the previous one's chapter (their bookmarks go
            # under its last).
            continued: list[int] = []
            found: dict[str, _Anchor] = {}
            total = head_pages

            def section(source: str, rows_from: int | None = None) -> int | None:
                nonlocal total
                path = Path(folder) / f"{len(files)}.pdf"
                pages, (where, _links), resume = _write(source, path, total, rows_from=rows_from)
                files.append(path)
                found.update(where)
                total += pages
                return resume

            # The front in two: its tables grow with the hotspots; the map starts a page.
            section(html("front", total + 1))
            section(html("map", total + 1, map=_map(snapshot, text, hotspots, regional=True)))
            # The late and escalated actions by parts of their rows (OVERVIEW_ROWS).
            late, escalations = _overview_rows(hotspots)
            rows, start = len(late) + len(escalations), 0
            while True:
                end = min(start + OVERVIEW_ROWS, rows)
                if start:
                    continued.append(len(files))
                part = _overview(late, escalations, start, end)
                chapter = _("Late and escalated actions") if start else None
                source = html("overview", total + 1, chapter=chapter, overview=part)
                resume = section(source, rows_from=start if end < rows else None)
                if end >= rows:
                    break
                start = end if resume is None else resume
            for group in _groups(hotspots):
                for h in group:
                    _draw(h, snapshot, text)
                section(html("hotspots", total + 1, section_hotspots=group))
                for h in group:
                    _undraw(h)

            toc = {name: found[name].page + 1 for name in anchors}
            pages, (_where, links), _resume = _write(head(toc), files[0], 0, quiet=anchors)
            if pages != head_pages:  # the numbers would be wrong: say so
                logger.warning("Report head laid out on %s pages, counted %s", pages, head_pages)
            annotations = []
            for index, target, (x1, y1, x2, y2), height in links:
                if target in found:
                    to = found[target]
                    rectangle = (x1 * PX, (height - y2) * PX, x2 * PX, (height - y1) * PX)
                    annotations.append((index, to.page, (*rectangle, to.x, to.y)))
            pdf = assemble_apart(files, language=language, links=annotations, continued=continued)
            return pdf, total
