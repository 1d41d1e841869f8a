"""Reads of displacement reports: routing to task forces, the list, the arrows on the map.

The commune geometry used here (boundaries, neighbours, centres) is reference data loaded
by a migration; it does not change while the portal runs, so it is read and computed once
per process and kept in memory.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import shapely
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, F, OuterRef, Prefetch, QuerySet, Subquery, When
from django.utils.safestring import SafeString
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from coordination.core import geo
from coordination.models import Commune, User
from coordination.reference.models import in_reader_language
from hotspots.models import Hotspot
from hotspots.selectors.hotspots import region_map
from taskforces.models import (
    DisplacementFollowUp,
    DisplacementReport,
    DisplacementRouting,
    TaskForce,
)
from taskforces.permissions import visible_displacements

Status = DisplacementReport.Status
# Reports still being dealt with: the ones drawn on the hotspots map.
UNDER_WAY = (Status.OPEN, Status.FOLLOWED_UP)
# Hotspots that have a working task force (it is opened on approval, left alone on closing).
WORKING = (Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE)


# --- Commune geometry, cached per process ---------------------------------------------


@functools.lru_cache(maxsize=1)
def commune_boundaries() -> Mapping[str, dict]:
    """NIS code → GeoJSON boundary of the 19 communes."""
    boundaries = dict(Commune.objects.values_list("nis_code", "boundary"))
    if not boundaries:
        # Raising keeps the empty answer out of the cache: the next call reads again.
        raise ImproperlyConfigured("The reference communes are missing: run the migrations.")
    return MappingProxyType(boundaries)


@functools.lru_cache(maxsize=1)
def commune_neighbours() -> Mapping[str, frozenset[str]]:
    """NIS code → the codes of the communes sharing a stretch of boundary with it."""
    found = geo.neighbours(commune_boundaries())
    return MappingProxyType({code: frozenset(codes) for code, codes in found.items()})


@functools.lru_cache(maxsize=1)
def commune_centres() -> Mapping[str, tuple[float, float]]:
    """NIS code → a (lon, lat) point inside the commune, where arrows without a point end."""
    return MappingProxyType(
        {code: geo.area_center(boundary) for code, boundary in commune_boundaries().items()}
    )


def commune_of_point(lon: float, lat: float) -> str | None:
    """The NIS code of the commune the point lies in, or None outside the region."""
    return geo.commune_at(lon, lat, commune_boundaries())


# --- Routing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """A task force a report reaches: why, and how far its hotspot lies from the place."""

    taskforce: TaskForce
    reason: str  # a DisplacementRouting.Reason
    distance_m: int


def routing_reach_m() -> int:
    """How far (m) from the reported place a hotspot may lie for its task force to be told."""
    return int(settings.DISPLACEMENT_ROUTING_METRES)


@functools.lru_cache(maxsize=1)
def _communes_in_metres() -> Mapping[str, BaseGeometry]:
    """NIS code → the commune's boundary in Belgian Lambert 2008, projected once."""
    return MappingProxyType(
        {code: geo.project_lambert2008(boundary) for code, boundary in commune_boundaries().items()}
    )


def _place_in_metres(*, commune: Commune, lon: float | None, lat: float | None) -> BaseGeometry:
    """The reported place: the point given, else the whole destination commune.

    Without a point the phenomenon is somewhere in the commune, so the distance to a
    hotspot is taken from the commune's nearest edge (0 when the hotspot touches it):
    every task force that may be near is told, at the price of telling a few more.
    """
    if lon is not None and lat is not None:
        return Point(geo.to_lambert2008(lon, lat))
    return _communes_in_metres()[commune.nis_code]


def _hotspot_in_metres(hotspot: Hotspot) -> BaseGeometry | None:
    """The hotspot's perimeter in force, else its communes; None if it has neither."""
    if hotspot.perimeter:
        return geo.project_lambert2008(hotspot.perimeter)
    shapes = [_communes_in_metres()[c.nis_code] for c in hotspot.communes.all()]
    return shapely.union_all(shapes) if shapes else None


def routing_for(
    *,
    from_hotspot: Hotspot,
    commune: Commune,
    lon: float | None = None,
    lat: float | None = None,
    reach_m: int | None = None,
) -> list[Route]:
    """The task forces a displacement from ``from_hotspot`` to a place reaches, by code.

    Those of the approved and active hotspots whose perimeter (or, without one, whose
    communes) lies within ``reach_m`` metres (default: the setting) of the place, measured
    in Belgian Lambert 2008; and always the task force of the origin hotspot, which knows
    the phenomenon best (DESIGN.md §8). The CSIR sees every report and is not routed.
    Distances are rounded up to the metre, so "within 1500 m" never hides 1500.4 m.
    """
    reach = routing_reach_m() if reach_m is None else reach_m
    place = _place_in_metres(commune=commune, lon=lon, lat=lat)
    taskforces = (
        TaskForce.objects.filter(hotspot__status__in=WORKING)
        .select_related("hotspot")
        .prefetch_related(
            Prefetch("hotspot__communes", queryset=Commune.objects.only("pk", "nis_code"))
        )
        .order_by("hotspot__code")
    )
    routes = []
    for taskforce in taskforces:
        area = _hotspot_in_metres(taskforce.hotspot)
        if area is None:
            continue
        distance = math.ceil(place.distance(area))
        if taskforce.hotspot_id == from_hotspot.pk:
            routes.append(Route(taskforce, DisplacementRouting.Reason.ORIGIN, distance))
        elif distance <= reach:
            routes.append(Route(taskforce, DisplacementRouting.Reason.NEARBY, distance))
    return routes


def routings(report: DisplacementReport) -> list[DisplacementRouting]:
    """Whom ``report`` reached and why, by hotspot code, for its page."""
    return list(
        report.routings.select_related("taskforce__hotspot").order_by("taskforce__hotspot__code")
    )


# --- Lists and pages ------------------------------------------------------------------


def with_details(reports: QuerySet[DisplacementReport]) -> QuerySet[DisplacementReport]:
    """Everything a list row and its arrow need, in a fixed number of queries."""
    return (
        reports.select_related("from_hotspot", "commune", "reported_by")
        .defer(
            # A commune's boundary weighs tens of kilobytes; the cached centres stand in for it.
            "commune__boundary"
        )
        .prefetch_related(
            Prefetch(
                "routed_to",
                queryset=TaskForce.objects.select_related("hotspot").only(
                    "pk", "hotspot__id", "hotspot__code", "hotspot__name_fr", "hotspot__name_nl"
                ),
            ),
            Prefetch(
                "from_hotspot__communes",
                queryset=Commune.objects.only("pk", "nis_code", "name_fr", "name_nl"),
            ),
        )
    )


def displacement_list(
    user: User, *, status: str = "", commune: str = ""
) -> list[DisplacementReport]:
    """The reports ``user`` may see, newest first, filtered by status and destination."""
    reports = visible_displacements(user)
    if status:
        reports = reports.filter(status=status)
    if commune:
        reports = reports.filter(commune__nis_code=commune)
    return list(with_details(reports).order_by("-reported_at", "-pk"))


def follow_ups(report: DisplacementReport) -> list[DisplacementFollowUp]:
    return list(report.follow_ups.select_related("author__agency").order_by("at", "pk"))


def reportable_hotspots() -> QuerySet[Hotspot]:
    """The hotspots a displacement can be reported from: those with a working task force."""
    return Hotspot.objects.filter(status__in=WORKING).order_by("code")


# --- The map --------------------------------------------------------------------------


# Arrows start at ``Hotspot.perimeter_centre``, stored by the services with the perimeter
# (issue 16: parsing every origin's perimeter was half the hotspot list's time at 150
# hotspots). A perimeter written without its centre (outside the services, e.g. a test's
# fixture) has it computed here and kept per process, keyed on the perimeter's content (a
# digest of its JSON) so that a new perimeter is a new entry; bounded (cleared when full).
_CENTRES: dict[str, tuple[float, float]] = {}


def _centre_of(perimeter: dict) -> tuple[float, float]:
    key = geo.geometry_key([perimeter])
    centre = _CENTRES.get(key)
    if centre is None:
        if len(_CENTRES) >= 4096:
            _CENTRES.clear()
        centre = _CENTRES[key] = geo.area_center(perimeter)
    return centre


def _stored_centre(
    centre: list[float] | None, perimeter: dict | None
) -> tuple[float, float] | None:
    """The perimeter's stored centre; computed when a perimeter has none (None without one)."""
    if centre:
        return float(centre[0]), float(centre[1])
    return _centre_of(perimeter) if perimeter else None


def origin_of(hotspot: Hotspot) -> tuple[float, float] | None:
    """Where an arrow starts: the perimeter's centre, else the centre of its first commune."""
    if hotspot.perimeter_centre or hotspot.perimeter:
        return _stored_centre(hotspot.perimeter_centre, hotspot.perimeter)
    codes = sorted(c.nis_code for c in hotspot.communes.all())
    return commune_centres().get(codes[0]) if codes else None


def destination_of(report: DisplacementReport) -> tuple[float, float] | None:
    """Where an arrow ends: the point given, else the centre of the destination commune."""
    if report.lon is not None and report.lat is not None:
        return report.lon, report.lat
    return commune_centres().get(report.commune.nis_code)


def map_arrows(reports: Iterable[DisplacementReport]) -> list[geo.MapArrow]:
    """One arrow per report (loaded with :func:`with_details`), labelled for the tooltip."""
    arrows = []
    origins: dict[int, tuple[float, float] | None] = {}  # several reports share an origin
    # The labels translated once per call: get_status_display() per report costs as much
    # as the rest of the arrow at 450 reports.
    statuses = {value: str(label) for value, label in Status.choices}
    for report in reports:
        if report.from_hotspot_id not in origins:
            origins[report.from_hotspot_id] = origin_of(report.from_hotspot)
        start, end = origins[report.from_hotspot_id], destination_of(report)
        if start is None or end is None:
            continue
        arrows.append(
            geo.MapArrow(
                from_lon=start[0],
                from_lat=start[1],
                to_lon=end[0],
                to_lat=end[1],
                label=(
                    f"{report.from_hotspot.code} → {report.place} ({report.commune.name}) · "
                    f"{statuses.get(report.status, report.status)}"
                ),
                css_class=f"displacement-{report.status} severity-{report.severity}",
            )
        )
    return arrows


def under_way_arrows(user: User) -> list[geo.MapArrow]:
    """Arrows of the open and followed-up reports ``user`` may see, for the hotspots map.

    Two queries of plain values whatever the number of reports (no model instances: at
    450 reports building them cost more than drawing): the reports, then their origins
    once per hotspot (its perimeter's stored centre, and its first commune for one without
    a perimeter). The perimeters themselves are not read, but for one stored without its
    centre (written outside the services).
    """
    visible = visible_displacements(user).filter(status__in=UNDER_WAY)
    reports = list(
        visible.values(
            "from_hotspot_id",
            "from_hotspot__code",
            "status",
            "severity",
            "place",
            "lon",
            "lat",
            "commune__nis_code",
            "commune__name_fr",
            "commune__name_nl",
        )
    )
    first_commune = (
        Hotspot.communes.through.objects.filter(hotspot_id=OuterRef("pk"))
        .order_by("commune__nis_code")
        .values("commune__nis_code")[:1]
    )
    origins: dict[int, tuple[float, float] | None] = {}
    for pk, centre, perimeter, first_nis in (
        Hotspot.objects.filter(pk__in=visible.values("from_hotspot_id"))
        .annotate(
            first_nis=Subquery(first_commune),
            # The perimeter only where its centre is missing: a few bytes a row, not the area.
            missing=Case(When(perimeter_centre__isnull=True, then=F("perimeter"))),
        )
        .values_list("pk", "perimeter_centre", "missing", "first_nis")
    ):
        origins[pk] = _stored_centre(centre, perimeter) or commune_centres().get(first_nis or "")
    statuses = {value: str(label) for value, label in Status.choices}
    arrows = []
    for report in reports:
        start = origins.get(report["from_hotspot_id"])
        end = (
            (report["lon"], report["lat"])
            if report["lon"] is not None and report["lat"] is not None
            else commune_centres().get(report["commune__nis_code"])
        )
        if start is None or end is None:
            continue
        commune_name = in_reader_language(report["commune__name_fr"], report["commune__name_nl"])
        arrows.append(
            geo.MapArrow(
                from_lon=start[0],
                from_lat=start[1],
                to_lon=end[0],
                to_lat=end[1],
                label=(
                    f"{report['from_hotspot__code']} → {report['place']} ({commune_name}) · "
                    f"{statuses.get(report['status'], report['status'])}"
                ),
                css_class=f"displacement-{report['status']} severity-{report['severity']}",
            )
        )
    return arrows


def displacement_map(reports: list[DisplacementReport], *, title: str) -> SafeString:
    """The region with the reports' origin hotspots and their arrows."""
    origins = {report.from_hotspot.pk: report.from_hotspot for report in reports}
    hotspots = [origins[pk] for pk in sorted(origins, key=lambda pk: origins[pk].code)]
    return region_map(hotspots, title=title, arrows=map_arrows(reports))


def picking_map(*, title: str) -> SafeString:
    """The region with the hotspots one reports from, to click the place on."""
    return region_map(list(reportable_hotspots()), title=title, link=False)
