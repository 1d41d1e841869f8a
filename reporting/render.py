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
import io
import logging
import mimetypes
import posixpath
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
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)
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
        "charts": _charts(item, snapshot, text),
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


def context(snapshot: dict, *, language: str, meta: dict) -> dict[str, Any]:
    """The template context of the PDF, in the active language (call under override).

    ``meta`` describes the report itself (version, requested_at) — not data of the period.
    """
    text = _Text(language)
    hotspots = [_hotspot(h, snapshot, text) for h in snapshot["hotspots"]]
    for h in hotspots:
        h["inset"] = _inset(h, language)
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
        "map": _map(snapshot, text, hotspots, regional=kind == "regional"),
        "stylesheet": static_url(STYLESHEET),
        # The whole report by default; :func:`render_sections` renders its parts.
        "part": None,
        "section_hotspots": hotspots,
        "section_css": "",
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
SECTIONS_FROM_HOTSPOTS = 20
SECTIONS_FROM_ACTIONS = 800


def use_sections(snapshot: dict) -> bool:
    """Whether ``snapshot`` is big enough to be rendered by sections."""
    if snapshot.get("kind") != "regional":
        return False
    hotspots = snapshot.get("hotspots", [])
    actions = sum(len(h.get("actions", [])) for h in hotspots)
    return len(hotspots) >= SECTIONS_FROM_HOTSPOTS or actions >= SECTIONS_FROM_ACTIONS


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


class _Structure:
    """The sections' structure trees (tagged PDF) merged into one for the whole report.

    Each section's ``/Document`` element gives its children to the report's, and its
    parent tree's keys (pages' ``/StructParents``, annotations' ``/StructParent``) are
    shifted past the previous sections'. The elements' pages and annotations are the
    copies pypdf made of them (its clone keeps one copy per source object).
    """

    def __init__(self, writer: PdfWriter):
        self.writer = writer
        self.root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root_ref = writer._add_object(self.root)
        self.document = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
                NameObject("/P"): self.root_ref,
            }
        )
        self.document_ref = writer._add_object(self.document)
        self.kids = ArrayObject()
        self.nums = ArrayObject()
        self.next_key = 0

    def add(self, reader: PdfReader, pages: Sequence[Any]) -> None:
        tree = reader.root_object.get("/StructTreeRoot")
        if tree is None:
            return
        tree = cast(Any, tree.get_object())
        offset = self.next_key
        nums = tree.get("/ParentTree", {}).get("/Nums", [])
        for document in _as_list(tree.get("/K")):
            document = cast(Any, document.get_object())
            document[NameObject("/P")] = NullObject()  # not its tree: not cloned
            for kid in _as_list(document.get("/K")):
                clone = kid.clone(self.writer)
                if isinstance(clone, IndirectObject):
                    cast(Any, clone.get_object())[NameObject("/P")] = self.document_ref
                self.kids.append(clone)
        for i in range(0, len(nums), 2):
            key = int(nums[i]) + offset
            self.nums.extend([NumberObject(key), nums[i + 1].clone(self.writer)])
            self.next_key = max(self.next_key, key + 1)
        # pypdf leaves the pages' keys out of its copies: set again, shifted.
        for page, source in zip(pages, reader.pages, strict=True):
            if "/StructParents" in source:
                page[NameObject("/StructParents")] = NumberObject(
                    int(cast(Any, source["/StructParents"])) + offset
                )
            for annotation in page.get("/Annots", []):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        int(annotation["/StructParent"]) + offset
                    )

    def finish(self) -> None:
        if not self.kids:
            return
        self.document[NameObject("/K")] = self.kids
        self.root[NameObject("/K")] = ArrayObject([self.document_ref])
        self.root[NameObject("/ParentTree")] = DictionaryObject({NameObject("/Nums"): self.nums})
        self.root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        root = self.writer.root_object
        root[NameObject("/StructTreeRoot")] = self.root_ref
        root[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return list(value) if isinstance(value, list) else [value]


def _check_pages(document: Any, expected: int) -> None:
    if len(document.pages) != expected:  # the numbers would be wrong: say so
        logger.warning(
            "Report section laid out on %s pages, counted %s", len(document.pages), expected
        )


#: Points per CSS pixel.
PX = 0.75


def _section_css(*, first_page: int, total: int | None, hotspot: bool) -> SafeString:
    """The page numbers of a section: its first page's number and the report's total."""
    css = f"@page :first {{ counter-reset: page {first_page}; }}"
    if total is not None:
        css += f' @page {{ @bottom-right {{ content: counter(page) " / {total}"; }} }}'
    if hotspot:
        # A hotspot's first page is not the cover: it keeps its running header.
        css += " @page :first { @top-right { content: string(section, start); } }"
    # Safe: built here from integers only.
    return mark_safe(css)  # noqa: S308


def render_sections(
    snapshot: dict, *, language: str, meta: dict | None = None
) -> tuple[bytes, int]:
    """The report rendered section by section and assembled with pypdf.

    The front (cover, contents, the regional chapters up to the police orders), the late
    and escalated actions, and then each hotspot's chapter are WeasyPrint documents of
    their own (each starts a page in the single document too), each laid out, written to PDF bytes
    and released: the peak memory is that of the biggest section, not of the report.
    Two passes: the first lays each section out to count its pages (a section's page
    count does not depend on its page numbers), the second renders it with its first
    page number and the total (``@page :first { counter-reset: page N }``), and the
    contents with the known page of each hotspot.

    What is kept: pages, embedded fonts, metadata (title, author, subject, keywords, the
    XMP with the PDF/UA identification), the document language, the bookmarks of each
    section, and the tagging: the sections' structure trees are merged into one
    (:class:`_Structure`), so the report stays a tagged PDF with the same structure.
    The costs: the layout is done twice (the first pass lays out without drawing, about
    half the time again), each section embeds its own font subsets (a bigger file), and
    the contents' links to the hotspots are annotations added by pypdf, outside the
    structure tree (their Link elements keep their text but not their annotation).
    Small reports stay one WeasyPrint document (:func:`use_sections`).
    """
    meta = meta or {}
    with translation.override(language):
        base = context(snapshot, language=language, meta=meta)
        hotspots = base["hotspots"]

        # The sections after the front: the late and escalated actions (a chapter of
        # their own, long in a big region), then each hotspot's chapter.
        parts: list[dict | None] = [None, *hotspots]
        anchors = ["overview", *(h["anchor"] for h in hotspots)]

        def front(toc: dict[str, int] | None, total: int | None) -> str:
            for h in hotspots:
                # The first pass: numbers as wide as any, the contents take the same lines.
                h["toc_page"] = toc[h["anchor"]] if toc else 9999
            css = _section_css(first_page=1, total=total, hotspot=False)
            return render_to_string(
                "reporting/pdf/report.html",
                {
                    **base,
                    "part": "front",
                    "section_hotspots": [],
                    "section_css": css,
                    "overview_page": toc["overview"] if toc else 9999,
                },
            )

        def section(h: dict | None, first_page: int, total: int | None) -> str:
            css = _section_css(first_page=first_page, total=total, hotspot=True)
            return render_to_string(
                "reporting/pdf/report.html",
                {
                    **base,
                    "part": "overview" if h is None else "hotspots",
                    "section_hotspots": [] if h is None else [h],
                    "section_css": css,
                },
            )

        def count(html: str) -> int:
            pages = len(_document(html).pages)
            gc.collect()  # the boxes hold cycles: free the layout before the next one
            return pages

        # Pass 1: the page count of each section.
        counts = [count(front(None, None))] + [count(section(h, 1, None)) for h in parts]
        total = sum(counts)
        starts = [1 + sum(counts[:i]) for i in range(len(counts))]
        toc = dict(zip(anchors, starts[1:], strict=True))

        # Pass 2: each section with its numbers, written to PDF and spooled to a file.
        with tempfile.TemporaryFile() as spool:
            sizes = []
            document = _document(front(toc, total))
            # The contents' links to the hotspots, whose chapters are other documents:
            # linked again once assembled (rectangles in CSS px from the page's top).
            links = [
                (index, toc[target], rectangle, page.height)
                for index, page in enumerate(document.pages)
                for kind, target, rectangle, _box in page.links
                if kind == "internal" and target in toc
            ]
            quiet = _OtherSections(toc)
            logging.getLogger("weasyprint").addFilter(quiet)
            try:
                sizes.append(spool.write(document.write_pdf(pdf_variant=PDF_VARIANT)))
            finally:
                logging.getLogger("weasyprint").removeFilter(quiet)
            _check_pages(document, counts[0])
            del document
            gc.collect()
            for h, first_page, pages in zip(parts, starts[1:], counts[1:], strict=True):
                document = _document(section(h, first_page, total))
                sizes.append(spool.write(document.write_pdf(pdf_variant=PDF_VARIANT)))
                _check_pages(document, pages)
                del document
                gc.collect()

            # Assembled: pages, fonts, bookmarks and structure of each section, in order.
            writer = PdfWriter()
            structure = _Structure(writer)
            spool.seek(0)
            for index, size in enumerate(sizes):
                reader = PdfReader(io.BytesIO(spool.read(size)))
                if index == 0:
                    writer.add_metadata(
                        {k: v for k, v in (reader.metadata or {}).items() if v is not None}
                    )
                    if "/Metadata" in reader.root_object:  # XMP: PDF/UA identification
                        writer.root_object[NameObject("/Metadata")] = (
                            reader.root_object["/Metadata"].clone(writer).indirect_reference
                        )
                first = len(writer.pages)
                # The annotations as they are: their /StructParent keys the structure.
                writer.append(reader, import_outline=True, excluded_fields=["/B"])
                structure.add(reader, writer.pages[first:])
            structure.finish()
        for index, page_number, (x1, y1, x2, y2), height in links:
            writer.add_annotation(
                page_number=index,
                annotation=Link(
                    rect=(x1 * PX, (height - y2) * PX, x2 * PX, (height - y1) * PX),
                    target_page_index=page_number - 1,
                ),
            )
        writer.root_object[NameObject("/Lang")] = TextStringObject(language)
        preferences = writer.create_viewer_preferences()
        preferences[NameObject("/DisplayDocTitle")] = BooleanObject(True)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue(), total
