"""Street base maps drawn server-side as SVG, for the PDF reports (offline, no tiles).

The layers are a copy of the prepared OpenStreetMap extract of the region (see
``static/basemap/SOURCES.md``): streets with a road class and
French/Dutch names, parks, water and commune boundaries. They are read once per
process, projected once to metres (equirectangular around the region's centre, x scaled
by cos(latitude): accurate to well under 0.5 % over Brussels) and indexed in an STRtree;
each map then clips them to its extent and simplifies them to its scale (half a drawn
unit), and the region map's background is cached per extent.

Two maps:

* :func:`render_region_map` — the region with its major and medium streets, water,
  parks, commune outlines and names, every hotspot perimeter in the style of its status,
  hotspot codes placed without overlap (greedy, eight positions around the anchor on
  growing rings, a leader line when displaced), a legend, a scale bar and the
  attribution. The computed label boxes are returned with the SVG.
* :func:`render_inset_map` — one perimeter over its streets (perimeter bbox plus a
  margin), a few street names that do not overlap, a scale bar and the attribution.

Like :func:`coordination.core.geo.render_map_svg`, the output is plain inline SVG with
presentation attributes (no script, no external resource) and escapes every text.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.utils import formats
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from coordination.core.geo import _as_shape, _num, _polygons, _text

__all__ = [
    "ATTRIBUTION",
    "STATUS_STYLES",
    "Box",
    "LegendEntry",
    "MapResult",
    "RegionArea",
    "place_labels",
    "render_inset_map",
    "render_region_map",
]

# The same prepared layers the browser maps draw (one copy, served as static files too).
DATA = Path(__file__).resolve().parent.parent.parent / "static" / "basemap"

#: Must be printed under every map drawn from these layers (ODbL, see SOURCES.md).
ATTRIBUTION = "© OpenStreetMap contributors — ODbL"

# Reference point of the projection (centre of the region) and metres per degree there.
_LON0, _LAT0 = 4.363, 50.839
_PHI = math.radians(_LAT0)
_KY = 111_132.92 - 559.82 * math.cos(2 * _PHI) + 1.175 * math.cos(4 * _PHI)
_KX = 111_412.84 * math.cos(_PHI) - 93.5 * math.cos(3 * _PHI)

FONT = "DejaVu Sans, sans-serif"
#: Average advance of a DejaVu Sans character, as a share of the font size (labels are
#: codes and names: this slightly overestimates, so boxes err on the safe side).
CHAR_WIDTH = 0.62
LINE_HEIGHT = 1.25

#: Hotspot statuses grouped into the three styles the maps draw.
STATUS_STYLES = {
    "active": "active",
    "approved": "active",
    "proposed": "pending",
    "awaiting_approval": "pending",
    "closed": "closed",
    "rejected": "closed",
}

# Presentation attributes per style: active solid, pending hatched with a dashed
# outline, closed grey. The pattern id is filled in per map.
_STYLE_ATTRS = {
    "active": 'fill="#e8590c" fill-opacity="0.45" stroke="#b03a00" stroke-width="1.6"',
    "pending": 'fill="url(#{uid}-hatch)" stroke="#b03a00" stroke-width="1.4" '
    'stroke-dasharray="4 2.5"',
    "closed": 'fill="#adb5bd" fill-opacity="0.55" stroke="#6c757d" stroke-width="1.2"',
}

# Stroke colour per road class, and the casing drawn under it on inset maps (None: none).
# Casings double the paths WeasyPrint draws, so only the main streets get one.
_STREET_STYLE = {
    "major": ("#f2c46d", "#b8893a"),
    "medium": ("#ffffff", "#a9a49a"),
    "minor": ("#d3cec4", None),
    "pedestrian": ("#e2ddd3", None),
}
#: On the region map streets are thin single strokes.
_REGION_STREET_STYLE = {"major": "#efb453", "medium": "#c4bdb0"}
_PARK_STYLE = 'fill="#cfe8c4" stroke="none"'
_WATER_STYLE = 'fill="#aed3ea" stroke="none"'
_WATER_LINE_STYLE = 'fill="none" stroke="#aed3ea" stroke-linecap="round"'


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class _Layer:
    geoms: np.ndarray  # projected shapely geometries (metres)
    tree: shapely.STRtree
    props: list[dict]

    def query(self, extent: BaseGeometry) -> list[int]:
        return sorted(int(i) for i in self.tree.query(extent, predicate="intersects"))


def project(geom: BaseGeometry) -> BaseGeometry:
    """Lon/lat to metres around the region's centre (x east, y north)."""
    return shapely.transform(geom, lambda xy: (xy - (_LON0, _LAT0)) * (_KX, _KY))


def _load(name: str, keep: Callable[[dict, BaseGeometry], bool] = lambda p, g: True) -> _Layer:
    with (DATA / f"{name}.geojson").open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geoms, props = [], []
    for feature in features:
        geom = shape(feature["geometry"])
        if geom.is_empty or not keep(feature["properties"], geom):
            continue
        geoms.append(project(geom))
        props.append(feature["properties"])
    array = np.array(geoms, dtype=object)
    return _Layer(array, shapely.STRtree(array), props)


@functools.cache
def layers() -> dict[str, _Layer]:
    """The projected layers, read once per process."""
    return {
        "streets": _load("streets"),
        "parks": _load("parks"),
        "water": _load("water", lambda p, g: g.geom_type in {"Polygon", "MultiPolygon"}),
        "waterways": _load("water", lambda p, g: g.geom_type == "LineString"),
    }


# --------------------------------------------------------------------------- canvas


@dataclass(frozen=True, slots=True)
class Box:
    """A label's box in SVG units (x, y = top-left corner)."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.x + self.width <= other.x
            or other.x + other.width <= self.x
            or self.y + self.height <= other.y
            or other.y + other.height <= self.y
        )

    def inside(self, width: float, height: float) -> bool:
        return (
            self.x >= 0
            and self.y >= 0
            and self.x + self.width <= width
            and (self.y + self.height <= height)
        )


class _Canvas:
    """Maps a metric extent (minx, miny, maxx, maxy) onto ``width`` SVG units."""

    def __init__(self, extent: Sequence[float], width: int, margin: float = 4):
        self.minx, self.miny, self.maxx, self.maxy = extent
        self.margin = margin
        self.scale = (width - 2 * margin) / max(self.maxx - self.minx, 1e-9)  # units per m
        self.width = width
        self.map_height = math.ceil((self.maxy - self.miny) * self.scale + 2 * margin)

    @property
    def extent(self) -> Polygon:
        return box(self.minx, self.miny, self.maxx, self.maxy)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (
            round(self.margin + (x - self.minx) * self.scale, 1),
            round(self.margin + (self.maxy - y) * self.scale, 1),
        )

    def _points(self, coords: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for x, y in coords:
            xy = self.xy(x, y)
            if not points or points[-1] != xy:
                points.append(xy)
        return points

    def area_path(self, geom: BaseGeometry, min_area: float = 0) -> str:
        """Path data of the polygons; rings enclosing less than ``min_area`` are left out."""
        parts = []
        for polygon in _polygons_of(geom):
            for ring in (polygon.exterior, *polygon.interiors):
                if min_area and Polygon(ring).area < min_area:
                    continue
                points = self._points(ring.coords)
                if len(points) >= 3:
                    parts.append("M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points) + "Z")
        return "".join(parts)

    def line_path(self, geom: BaseGeometry) -> str:
        parts = []
        for line in _lines_of(geom):
            points = self._points(line.coords)
            if len(points) >= 2:
                parts.append("M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points))
        return "".join(parts)


def _polygons_of(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon | MultiPolygon):
        return _polygons(geom)
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _polygons_of(part)]
    return []


def _lines_of(geom: BaseGeometry) -> list[LineString]:
    if isinstance(geom, LineString):
        return [geom]
    if isinstance(geom, MultiLineString) or hasattr(geom, "geoms"):
        return [line for part in geom.geoms for line in _lines_of(part)]
    return []


def _clipped(layer: _Layer, canvas: _Canvas, index: int) -> BaseGeometry:
    geom = shapely.clip_by_rect(
        layer.geoms[index], canvas.minx, canvas.miny, canvas.maxx, canvas.maxy
    )
    # Under a drawn unit: finer detail cannot be seen at this scale.
    return shapely.simplify(geom, 0.7 / canvas.scale, preserve_topology=False)


def _background(
    canvas: _Canvas, classes: Sequence[str], street_width: float, *, region: bool = False
) -> list[str]:
    """Parks, water and streets of the given classes, clipped and simplified."""
    data = layers()
    extent = canvas.extent
    out = ['<g class="map-base" aria-hidden="true">']
    # Areas under about 6 x 6 drawn units add detail nobody can read: left out.
    min_area = 40 / canvas.scale**2
    for name, style in (("parks", _PARK_STYLE), ("water", _WATER_STYLE)):
        layer = data[name]
        paths = [
            canvas.area_path(_clipped(layer, canvas, i), min_area)
            for i in layer.query(extent)
            if layer.geoms[i].area >= min_area
        ]
        if any(paths):
            out.append(f'<path class="map-{name}" d="{"".join(paths)}" {style}/>')
    rivers = [
        canvas.line_path(_clipped(data["waterways"], canvas, i))
        for i in data["waterways"].query(extent)
    ]
    if any(rivers):
        out.append(
            f'<path class="map-waterways" d="{"".join(rivers)}" {_WATER_LINE_STYLE} '
            f'stroke-width="{_num(street_width * 1.2)}"/>'
        )
    streets = data["streets"]
    by_class: dict[str, list[str]] = {c: [] for c in classes}
    for i in streets.query(extent):
        cls = streets.props[i].get("class")
        if cls in by_class:
            by_class[cls].append(canvas.line_path(_clipped(streets, canvas, i)))
    # Least important first so major roads are drawn on top; casing under fill.
    widths = {"major": 1.8, "medium": 1.3, "minor": 0.9, "pedestrian": 0.9}
    for cls in reversed(classes):
        d = "".join(by_class[cls])
        if not d:
            continue
        w = street_width * widths[cls]
        common = f'd="{d}" fill="none" stroke-linecap="round" stroke-linejoin="round"'
        if region:
            out.append(
                f'<path class="map-street {cls}" {common} stroke="{_REGION_STREET_STYLE[cls]}" '
                f'stroke-width="{_num(w)}"/>'
            )
            continue
        fill, casing = _STREET_STYLE[cls]
        if casing:
            out.append(
                f'<path class="map-street-casing {cls}" {common} stroke="{casing}" '
                f'stroke-width="{_num(w + 0.8)}"/>'
            )
        out.append(
            f'<path class="map-street {cls}" {common} stroke="{fill}" stroke-width="{_num(w)}"/>'
        )
    out.append("</g>")
    return out


# --------------------------------------------------------------------------- labels


def text_box(x: float, y: float, text: str, font_size: float) -> Box:
    """Box of a label centred on (x, y), from its font size and number of characters."""
    width = len(text) * font_size * CHAR_WIDTH + 2
    height = font_size * LINE_HEIGHT
    return Box(round(x - width / 2, 2), round(y - height / 2, 2), round(width, 2), height)


# Eight directions around the anchor: right, left, above, below, then the diagonals.
_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))


def place_labels(
    anchors: Sequence[tuple[float, float]],
    texts: Sequence[str],
    *,
    font_size: float,
    width: float,
    height: float,
    obstacles: Sequence[Box] = (),
    rings: int = 6,
) -> list[tuple[Box, bool] | None]:
    """Greedy placement: each label on its anchor if free, else the first free of eight
    positions around it, on rings further and further away.

    Returns, per label, its box and whether it was displaced (it then needs a leader
    line), or None when no free position was found (the caller then leaves it out).
    Boxes never overlap each other nor the ``obstacles``.
    """
    placed: list[Box] = list(obstacles)
    result: list[tuple[Box, bool] | None] = []
    for (ax, ay), text in zip(anchors, texts, strict=True):
        centre = text_box(ax, ay, text, font_size)
        candidates = [(centre, False)]
        for ring in range(1, rings + 1):
            dx = centre.width / 2 + ring * font_size * 0.6
            dy = centre.height / 2 + ring * font_size * 0.5
            for sx, sy in _DIRECTIONS:
                candidates.append((text_box(ax + sx * dx, ay + sy * dy, text, font_size), True))
        chosen = next(
            (
                (b, moved)
                for b, moved in candidates
                if b.inside(width, height) and not any(b.overlaps(o) for o in placed)
            ),
            None,
        )
        if chosen is not None:
            placed.append(chosen[0])
        result.append(chosen)
    return result


def _label_svg(box_: Box, text: str, font_size: float, css: str, colour: str, weight: str) -> str:
    cx = box_.x + box_.width / 2
    baseline = box_.y + box_.height / 2 + font_size * 0.35
    return (
        f'<g class="{css}"><rect x="{_num(box_.x)}" y="{_num(box_.y)}" '
        f'width="{_num(box_.width)}" height="{_num(box_.height)}" rx="1.5" fill="#ffffff" '
        f'fill-opacity="0.8"/><text x="{_num(round(cx, 1))}" y="{_num(round(baseline, 1))}" '
        f'text-anchor="middle" font-family="{FONT}" font-size="{_num(font_size)}" '
        f'font-weight="{weight}" fill="{colour}">{_text(text)}</text></g>'
    )


def _leader(anchor: tuple[float, float], box_: Box) -> str:
    ax, ay = anchor
    # The point of the box closest to the anchor.
    x = min(max(ax, box_.x), box_.x + box_.width)
    y = min(max(ay, box_.y), box_.y + box_.height)
    return (
        f'<line class="map-leader" x1="{_num(round(ax, 1))}" y1="{_num(round(ay, 1))}" '
        f'x2="{_num(round(x, 1))}" y2="{_num(round(y, 1))}" stroke="#343a40" '
        'stroke-width="0.7"/>'
        f'<circle cx="{_num(round(ax, 1))}" cy="{_num(round(ay, 1))}" r="1.4" fill="#343a40"/>'
    )


# ------------------------------------------------------------------ furniture


_NICE_LENGTHS = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


def _scale_bar(canvas: _Canvas, x: float, y: float) -> str:
    """A bar about a fifth of the map wide, of a round length, left end at (x, y)."""
    target = (canvas.width / 5) / canvas.scale
    metres = max((n for n in _NICE_LENGTHS if n <= target), default=_NICE_LENGTHS[0])
    length = metres * canvas.scale
    if metres >= 1000:  # 2,5 km in French and Dutch, 2.5 km in English
        km = metres // 1000 if metres % 1000 == 0 else metres / 1000
        text = f"{formats.number_format(km)} km"
    else:
        text = f"{metres} m"
    return (
        f'<g class="map-scale"><path d="M{_num(x)} {_num(y - 3)}V{_num(y)}'
        f'H{_num(round(x + length, 1))}V{_num(y - 3)}" fill="none" stroke="#212529" '
        f'stroke-width="1"/><text x="{_num(round(x + length + 3, 1))}" y="{_num(y)}" '
        f'font-family="{FONT}" font-size="7" fill="#212529">{text}</text></g>'
    )


def _attribution(canvas: _Canvas, y: float) -> str:
    return (
        f'<text class="map-attribution" x="{_num(canvas.width - 4)}" y="{_num(y)}" '
        f'text-anchor="end" font-family="{FONT}" font-size="6.5" fill="#4a5563">'
        f"{_text(ATTRIBUTION)}</text>"
    )


def _defs(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff" '
        'fill-opacity="0.4"/><line x1="0" y1="0" x2="0" y2="5" stroke="#e8590c" '
        'stroke-width="2"/></pattern></defs>'
    )


def _style(style: str, uid: str) -> str:
    return _STYLE_ATTRS[style].replace("{uid}", uid)


def _svg(uid: str, canvas: _Canvas, height: float, title: str, body: list[str], css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map {css}" '
        f'viewBox="0 0 {canvas.width} {_num(height)}" width="{canvas.width}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{uid}-title">'
        f'<title id="{uid}-title">{_text(title)}</title>{_defs(uid)}{"".join(body)}</svg>'
    )


# ------------------------------------------------------------------ region map


@dataclass(frozen=True, slots=True)
class RegionArea:
    """A hotspot perimeter to draw: its code (the label), geometry and status."""

    code: str
    geometry: dict
    status: str


@dataclass(frozen=True, slots=True)
class LegendEntry:
    style: str  # a value of STATUS_STYLES
    label: str


@dataclass(frozen=True, slots=True)
class MapResult:
    svg: str
    label_boxes: dict[str, Box] = field(default_factory=dict)
    street_names: tuple[str, ...] = ()


REGION_FONT = 8.5
COMMUNE_FONT = 6.5


@functools.lru_cache(maxsize=8)
def _region_background(extent: tuple[float, float, float, float], width: int) -> str:
    canvas = _Canvas(extent, width)
    return "".join(_background(canvas, ("major", "medium"), street_width=0.9, region=True))


def render_region_map(
    *,
    communes: Sequence[tuple[dict, str]],
    areas: Sequence[RegionArea],
    legend: Sequence[LegendEntry],
    title: str,
    width: int = 640,
) -> MapResult:
    """The region map: streets, water, parks, communes with names, hotspots, legend.

    ``communes`` are (GeoJSON geometry, name in the report's language). The result holds
    the SVG and the box of every hotspot label, keyed by code.
    """
    commune_geoms = [project(_as_shape(g)) for g, _ in communes]
    area_geoms = [project(_as_shape(a.geometry)) for a in areas]
    bounds = shapely.total_bounds(commune_geoms or area_geoms)
    minx, miny, maxx, maxy = (round(float(v), 0) for v in bounds)
    extent = (minx, miny, maxx, maxy)
    canvas = _Canvas(extent, width)
    uid = (
        "rmap-"
        + hashlib.blake2s(repr((extent, width, title, areas)).encode(), digest_size=5).hexdigest()
    )

    body = [_region_background(extent, width)]
    body.append('<g class="map-communes" aria-hidden="true">')
    for geom in commune_geoms:
        geom = shapely.simplify(geom, 0.7 / canvas.scale)
        body.append(
            f'<path class="map-commune" d="{canvas.area_path(geom)}" fill="none" '
            'stroke="#6f6a62" stroke-width="0.9" stroke-dasharray="3 1.5"/>'
        )
    body.append("</g>")

    body.append('<g class="map-areas">')
    for area, geom in zip(areas, area_geoms, strict=True):
        style = STATUS_STYLES.get(area.status, "active")
        body.append(
            f'<path class="map-area status-{style}" data-code="{_text(area.code)}" '
            f'd="{canvas.area_path(geom)}" fill-rule="evenodd" stroke-linejoin="round" '
            f"{_style(style, uid)}/>"
        )
    body.append("</g>")

    # Hotspot codes first (they matter most), then commune names around them.
    anchors = []
    for geom in area_geoms:
        point = geom.representative_point()
        anchors.append(canvas.xy(point.x, point.y))
    codes = [a.code for a in areas]
    placed = place_labels(
        anchors, codes, font_size=REGION_FONT, width=canvas.width, height=canvas.map_height
    )
    label_boxes = {code: p[0] for code, p in zip(codes, placed, strict=True) if p}
    commune_anchors, commune_names = [], []
    for geom, (_, name) in zip(commune_geoms, communes, strict=True):
        point = geom.representative_point()
        commune_anchors.append(canvas.xy(point.x, point.y))
        commune_names.append(name)
    commune_placed = place_labels(
        commune_anchors,
        commune_names,
        font_size=COMMUNE_FONT,
        width=canvas.width,
        height=canvas.map_height,
        obstacles=list(label_boxes.values()),
        rings=3,
    )
    body.append('<g class="map-commune-names" aria-hidden="true">')
    for name, p in zip(commune_names, commune_placed, strict=True):
        if p:
            body.append(
                _label_svg(p[0], name, COMMUNE_FONT, "map-commune-name", "#5c574f", "normal")
            )
    body.append("</g>")
    body.append('<g class="map-labels" aria-hidden="true">')
    for anchor, code, p in zip(anchors, codes, placed, strict=True):
        if p is None:
            continue
        if p[1]:
            body.append(_leader(anchor, p[0]))
        body.append(_label_svg(p[0], code, REGION_FONT, "map-label", "#212529", "bold"))
    body.append("</g>")

    # Below the map: legend on the left, scale bar and attribution on the right.
    y = canvas.map_height + 4
    body.append('<g class="map-legend">')
    x = 4.0
    for entry in legend:
        body.append(
            f'<g class="map-legend-item" data-style="{entry.style}">'
            f'<rect x="{_num(x)}" y="{_num(y)}" width="14" height="9" '
            f'{_style(entry.style, uid)}/><text x="{_num(x + 18)}" y="{_num(y + 7.5)}" '
            f'font-family="{FONT}" font-size="7.5" fill="#212529">{_text(entry.label)}</text></g>'
        )
        x += 18 + len(entry.label) * 7.5 * CHAR_WIDTH + 12
    body.append("</g>")
    body.append(_scale_bar(canvas, 4, y + 24))
    body.append(_attribution(canvas, y + 24))
    return MapResult(_svg(uid, canvas, y + 28, title, body, "map-region"), label_boxes)


# ------------------------------------------------------------------- inset map


INSET_FONT = 7
INSET_MAX_NAMES = 5


def render_inset_map(
    *,
    geometry: dict,
    status: str,
    title: str | Callable[[tuple[str, ...]], str],
    language: str,
    width: int = 320,
    margin_m: float = 150,
) -> MapResult:
    """One perimeter over its streets, with a few street names, scale and attribution.

    ``language`` ("fr" or "nl") picks the street names. ``title`` (the accessible name)
    may be a function of the street names shown, so the text alternative can list them.
    """
    geom = project(_as_shape(geometry))
    minx, miny, maxx, maxy = (float(v) for v in geom.bounds)
    pad = max(margin_m, 0.25 * max(maxx - minx, maxy - miny))
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    # At least 3:4 tall, at most 1:1, so every inset has a comparable shape.
    w, h = maxx - minx, maxy - miny
    if h < 0.75 * w:
        miny, maxy = miny - (0.75 * w - h) / 2, maxy + (0.75 * w - h) / 2
    elif h > w:
        minx, maxx = minx - (h - w) / 2, maxx + (h - w) / 2
    canvas = _Canvas((minx, miny, maxx, maxy), width)
    style = STATUS_STYLES.get(status, "active")
    uid = (
        "imap-"
        + hashlib.blake2s(
            repr((geometry, status, language, width)).encode(), digest_size=5
        ).hexdigest()
    )

    body = _background(canvas, ("major", "medium", "minor", "pedestrian"), 2.2)
    body.append(
        f'<path class="map-area status-{style}" d="{canvas.area_path(geom)}" '
        f'fill-rule="evenodd" stroke-linejoin="round" {_style(style, uid)}/>'
    )

    # Street names: the longest named stretches of the most important streets first.
    streets = layers()["streets"]
    rank = {"major": 0, "medium": 1, "minor": 2, "pedestrian": 3}
    candidates: dict[str, tuple[int, float, BaseGeometry]] = {}
    for i in streets.query(canvas.extent):
        props = streets.props[i]
        if props.get("class") not in rank:
            continue
        name = props.get(f"name_{language}") or props.get("name_fr") or props.get("name") or ""
        if not name:
            continue
        line = shapely.clip_by_rect(streets.geoms[i], minx, miny, maxx, maxy)
        if line.is_empty:
            continue
        key = (rank[props["class"]], -line.length)
        if name not in candidates or key < candidates[name][:2]:
            candidates[name] = (*key, line)
    ordered = sorted(candidates.items(), key=lambda item: item[1][:2])
    names: list[str] = []
    boxes: list[Box] = []
    labels: list[str] = []
    for name, (_, length, line) in ordered:
        if len(names) >= INSET_MAX_NAMES:
            break
        if -length * canvas.scale < len(name) * INSET_FONT * CHAR_WIDTH * 0.6:
            continue  # too short a stretch to carry its name
        point = line.interpolate(0.5, normalized=True)
        ax, ay = canvas.xy(point.x, point.y)
        b = text_box(ax, ay, name, INSET_FONT)
        if not b.inside(canvas.width, canvas.map_height) or any(b.overlaps(o) for o in boxes):
            continue
        boxes.append(b)
        names.append(name)
        labels.append(_label_svg(b, name, INSET_FONT, "map-street-name", "#343a40", "normal"))
    body.append('<g class="map-street-names" aria-hidden="true">' + "".join(labels) + "</g>")

    y = canvas.map_height + 4
    body.append(_scale_bar(canvas, 4, y + 8))
    body.append(_attribution(canvas, y + 8))
    shown = tuple(names)
    heading = title(shown) if callable(title) else title
    svg = _svg(uid, canvas, y + 12, heading, body, "map-inset")
    return MapResult(svg, {}, shown)
