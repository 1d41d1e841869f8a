"""Reads of hotspots and the mayors' decisions, in a fixed number of queries."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import Any, cast

from django.db.models import Prefetch, QuerySet, TextField, Value, prefetch_related_objects
from django.db.models.functions import MD5, Cast, Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from coordination.core import geo
from coordination.models import Commune, PoliceZone, Strategy, User
from hotspots.models import Hotspot, MayorDecision, PerimeterDecision, PerimeterVersion
from hotspots.permissions import (
    DECIDE_PERM,
    can_view_version,
    sees_proposals,
    visible_hotspots,
)

Status = Hotspot.Status
Version = PerimeterVersion.State


def _detail_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "communes", queryset=Commune.objects.select_related("police_zone").defer("boundary")
        ),
        Prefetch(
            "decisions",
            queryset=MayorDecision.objects.select_related("commune", "decided_by").defer(
                "commune__boundary"
            ),
        ),
    ]


def with_details(hotspots: QuerySet[Hotspot]) -> QuerySet[Hotspot]:
    """Communes, their police zones and the decisions, prefetched once for the whole list.

    Without the communes' boundaries (tens of kilobytes each, 800 KB a page at 150
    hotspots): the list does not draw them, the region map reads them from its cache."""
    return hotspots.prefetch_related(*_detail_prefetches())


# The list's table shows this many hotspots, then a "more" link adds as many again
# (``?pages=``): the rows rendered stay the same whatever the region (the map draws all).
LIST_PAGE = 25


#: The columns of a hotspot no list or map shows (the perimeter's GeoJSON is drawn only
#: when the region map is not in the process's cache: :func:`region_map` reads it then).
LIST_DEFERRED = (
    "perimeter",
    "description",
    "description_translation",
    "phenomena",
    "closure_reason",
    "closure_reason_translation",
)


def for_lists(hotspots: QuerySet[Hotspot]) -> QuerySet[Hotspot]:
    """``hotspots`` without what lists and maps do not show, with a digest of each
    perimeter computed by the database (``perimeter_digest``, for :func:`region_map`'s key).
    At 150 hotspots the perimeters were most of the bytes read and decoded per page."""
    return hotspots.defer(*LIST_DEFERRED).annotate(
        perimeter_digest=Coalesce(
            MD5(Cast("perimeter", TextField())), Value(""), output_field=TextField()
        )
    )


def hotspot_list(
    user: User, *, status: str = "", commune: str = "", zone: str = "", limit: int | None = None
) -> tuple[list[Hotspot], list[Hotspot]]:
    """Every visible hotspot matching the filters by code (for the map), and the first
    ``limit`` of them (all without a limit) with their communes and zones (2 queries)."""
    hotspots = visible_hotspots(user)
    links = Hotspot.communes.through.objects
    if status:
        hotspots = hotspots.filter(status=status)
    # Through subqueries, not joins: no duplicate rows, hence no DISTINCT (which compared
    # every column of every row, perimeters included: most of the list's time at 150).
    if commune:
        hotspots = hotspots.filter(
            pk__in=links.filter(commune__nis_code=commune).values("hotspot_id")
        )
    if zone:
        hotspots = hotspots.filter(
            pk__in=links.filter(commune__police_zone__number=zone).values("hotspot_id")
        )
    every = list(for_lists(hotspots).order_by("code"))
    shown = every[:limit] if limit is not None else every
    # The communes and their zones of the rows shown (the list shows no decision).
    prefetch_related_objects(shown, _detail_prefetches()[0])
    return every, shown


def police_zones_of(hotspot: Hotspot) -> list[PoliceZone]:
    """The police zones a hotspot lies in, derived from its (prefetched) communes."""
    zones = {c.police_zone.number: c.police_zone for c in hotspot.communes.all()}
    return [zones[number] for number in sorted(zones)]


@dataclass(frozen=True)
class ActiveRange:
    active: int
    low: int
    high: int

    @property
    def outside(self) -> bool:
        return not (self.low <= self.active <= self.high)


def active_range() -> ActiveRange:
    """The number of active hotspots against the 10-15 range the strategy set."""
    strategy = Strategy.objects.order_by("-adopted_on").first()
    low, high = (
        (strategy.target_min_hotspots, strategy.target_max_hotspots) if strategy else (10, 15)
    )
    return ActiveRange(Hotspot.objects.filter(status=Status.ACTIVE).count(), low, high)


def region_map(
    hotspots: list[Hotspot],
    *,
    title: str,
    link: bool = True,
    arrows: Sequence[geo.MapArrow] = (),
) -> SafeString:
    """The 19 communes with the hotspots' perimeters coloured by status, as inline SVG.

    ``arrows`` are drawn on top, e.g. the displacement reports (selectors/displacement.py).
    The drawing is kept per process under a digest of everything it shows (see
    :data:`_MAPS`): drawn again only when a perimeter, a name, a status or an arrow changed.
    """
    rows = list(Commune.objects.defer("boundary").order_by("name_fr"))
    version = tuple((c.pk, c.nis_code) for c in rows)
    key = "communes:" + ",".join(f"{pk}:{nis}" for pk, nis in version)
    material = repr(
        (
            translation.get_language(),
            str(title),
            link,
            key,
            tuple(str(c.name) for c in rows),
            tuple(
                (
                    h.pk,
                    h.code,
                    str(h.name),
                    h.status,
                    _perimeter_key(h),
                )
                for h in hotspots
            ),
            tuple(astuple(arrow) for arrow in arrows),
        )
    )
    digest = hashlib.blake2b(material.encode(), digest_size=20).hexdigest()
    found = _MAPS.get(digest)
    if found is not None:
        return mark_safe(found)  # noqa: S308 - drawn by _render below (escaped there)
    _read_deferred_perimeters(hotspots)
    boundaries = _region_boundaries(version)
    communes = [
        geo.MapArea(geometry=boundaries[c.pk], label=c.name, css_class="")
        for c in rows
        if c.pk in boundaries
    ]
    svg = _render(communes, hotspots, title=title, link=link, arrows=arrows, communes_key=key)
    if len(_MAPS) >= _MAPS_SIZE:
        _MAPS.clear()
    _MAPS[digest] = str(svg)
    return svg


def forget_drawn_maps() -> None:
    """Empty this process's drawn region maps: the next one is drawn again."""
    _MAPS.clear()


def _perimeter_key(hotspot: Hotspot) -> str:
    """What the map's key holds of a perimeter: the database's digest where the list read
    it instead of the perimeter (:func:`for_lists`), else a key of the geometry itself."""
    if "perimeter" in hotspot.get_deferred_fields():
        return "md5:" + cast(Any, hotspot).perimeter_digest
    return geo.geometry_key([hotspot.perimeter]) if hotspot.perimeter else ""


def _read_deferred_perimeters(hotspots: Sequence[Hotspot]) -> None:
    """The perimeters left out by :func:`for_lists`, read in one query to draw the map."""
    deferred = [h for h in hotspots if "perimeter" in h.get_deferred_fields()]
    if not deferred:
        return
    found = dict(
        Hotspot.objects.filter(pk__in=[h.pk for h in deferred]).values_list("pk", "perimeter")
    )
    for hotspot in deferred:
        hotspot.perimeter = found.get(hotspot.pk)


# The region maps drawn by this process, keyed on a digest of what they show (issue 16:
# drawing 150 perimeters took a tenth of the overview's time). Like the overview's rows
# (coordination/regional/overview/rows.py) the key is the content, never the reader: the
# hotspots and arrows a reader may see are in it, so two readers share an entry only when
# their maps are identical; a change of any of them is a new key, nothing to invalidate.
# Bounded (a map at 150 hotspots is about 250 KB): cleared when full.
_MAPS_SIZE = 32
_MAPS: dict[str, str] = {}


# The 19 communes' boundaries are reference data (loaded by a migration, read-only in the
# admin): read once per process and kept, keyed on the communes' ids and NIS codes (the
# "version" read with their names on every request, without the 100 KB of boundaries).
# The SVG layer drawn from them is cached the same way in geo.render_map_svg.
_BOUNDARIES: dict[tuple[tuple[int, str], ...], dict[int, dict]] = {}


def _region_boundaries(version: tuple[tuple[int, str], ...]) -> dict[int, dict]:
    found = _BOUNDARIES.get(version)
    if found is None:
        found = dict(
            Commune.objects.filter(pk__in=[pk for pk, _nis in version]).values_list(
                "pk", "boundary"
            )
        )
        _BOUNDARIES.clear()  # one version at a time: the previous one is stale
        _BOUNDARIES[version] = found
    return found


def hotspot_map(
    hotspot: Hotspot, *, title: str, proposed: PerimeterVersion | None = None
) -> SafeString:
    """The hotspot's own communes with its perimeter, zoomed in; with ``proposed``, the
    proposed perimeter is drawn over the one in force (coloured as a proposal)."""
    communes = [geo.MapArea(geometry=c.boundary, label=c.name) for c in hotspot.communes.all()]
    extra = []
    if proposed is not None:
        extra.append(
            geo.MapArea(
                geometry=proposed.geometry,
                label=_("Proposed perimeter (version %(number)s)") % {"number": proposed.number},
                css_class=f"status-{Status.PROPOSED} perimeter-proposed",
            )
        )
    return _render(communes, [hotspot], title=title, link=False, extra=extra)


def _render(
    communes: list[geo.MapArea],
    hotspots: list[Hotspot],
    *,
    title: str,
    link: bool,
    arrows: Sequence[geo.MapArrow] = (),
    extra: Sequence[geo.MapArea] = (),
    communes_key: str = "",
) -> SafeString:
    statuses = {value: str(label) for value, label in Status.choices}  # translated once
    areas = [
        geo.MapArea(
            geometry=h.perimeter,
            label=f"{h.code} {h.name} · {statuses.get(h.status, h.status)}",
            css_class=f"status-{h.status}",
            href=reverse("hotspots:detail", args=[h.pk]) if link else "",
        )
        for h in hotspots
        if h.perimeter
    ]
    areas.extend(extra)
    # Labels would pile up in the centre of the region: names are in the tooltips and the
    # table beside the map. render_map_svg escapes every label and filters classes and
    # links: its output is safe.
    return mark_safe(  # noqa: S308
        geo.render_map_svg(
            communes=communes,
            areas=areas,
            arrows=arrows,
            title=title,
            show_labels=False,
            communes_key=communes_key,
        )
    )


def awaiting_decision(user: User) -> list[MayorDecision | PerimeterDecision]:
    """The decisions this mayor still owes, oldest request first ("awaiting your decision"):
    on hotspots awaiting approval and on proposed perimeter changes. Three queries."""
    if user.role != User.Role.MAYOR:
        return []
    commune_id = cast(int, user.commune_id)
    decidable = get_objects_for_user(
        user, DECIDE_PERM, klass=Hotspot, with_superuser=False, accept_global_perms=False
    ).values("pk")
    on_hotspots = MayorDecision.objects.filter(
        commune_id=commune_id,
        decision=MayorDecision.Decision.PENDING,
        hotspot__status=Status.AWAITING_APPROVAL,
        hotspot__in=decidable,
    ).select_related("hotspot", "commune")
    on_perimeters = PerimeterDecision.objects.filter(
        commune_id=commune_id,
        decision=PerimeterDecision.Decision.PENDING,
        version__state=Version.PROPOSED,
        hotspot__status__in=(Status.APPROVED, Status.ACTIVE),
        hotspot__in=decidable,
    ).select_related("hotspot", "commune", "version")
    decisions: list[MayorDecision | PerimeterDecision] = [*on_hotspots, *on_perimeters]
    return sorted(decisions, key=lambda d: (d.requested_at, d.pk))


def decision_taken(user: User, hotspot: Hotspot) -> MayorDecision | PerimeterDecision | None:
    """The last decision the mayor's commune took on ``hotspot`` (on the hotspot itself or
    on a change of its perimeter), shown when they open the decide page again; None for
    anyone who is not a mayor of one of its communes. Two queries."""
    if user.role != User.Role.MAYOR or user.commune_id is None:
        return None
    if not any(commune.pk == user.commune_id for commune in hotspot.communes.all()):
        return None
    taken: list[MayorDecision | PerimeterDecision] = [
        *hotspot.decisions.filter(commune_id=user.commune_id, decided_at__isnull=False)
        .exclude(decision=MayorDecision.Decision.PENDING)
        .select_related("commune", "decided_by"),
        *PerimeterDecision.objects.filter(
            hotspot=hotspot,
            commune_id=user.commune_id,
            decision__in=(PerimeterDecision.Decision.APPROVE, PerimeterDecision.Decision.REJECT),
            decided_at__isnull=False,
        ).select_related("commune", "decided_by", "version"),
    ]
    return max(taken, key=lambda d: (d.decided_at, d.pk), default=None)


# --- Perimeter versions ------------------------------------------------------------------


def area_m2(geometry: dict | None) -> float:
    """The surface of a stored perimeter in m² (0 for none or an unreadable one)."""
    if not geometry:
        return 0.0
    try:
        return round(geo.area_m2(geometry), 1)
    except (geo.GeometryError, ValueError):
        return 0.0


def _centroid(geometry: dict | None) -> tuple[float, float] | None:
    if not geometry:
        return None
    try:
        point = geo.parse_area(geometry).centroid
    except geo.GeometryError:
        return None
    return round(point.x, 6), round(point.y, 6)


def perimeter_facts(old: dict | None, new: dict | None) -> dict[str, Any]:
    """What a perimeter change does, in numbers: the areas (m²), the centroids (lon, lat)
    and how far the centre moved (m). The audit trail records these beside the version
    numbers; the geometries themselves are in the versions."""
    before, after = _centroid(old), _centroid(new)
    facts: dict[str, Any] = {
        "area_m2": [area_m2(old) if old else None, area_m2(new) if new else None],
        "centroid": [before, after],
    }
    if before and after:
        # Equirectangular metres: plenty at the scale of a city.
        kx = 111_320 * math.cos(math.radians((before[1] + after[1]) / 2))
        dx, dy = (after[0] - before[0]) * kx, (after[1] - before[1]) * 110_574
        facts["centroid_shift_m"] = round(math.hypot(dx, dy), 1)
    return facts


@dataclass(frozen=True)
class PerimeterChange:
    """A proposed perimeter beside the one in force, for the mayors who decide on it."""

    proposed: PerimeterVersion
    in_force: PerimeterVersion | None
    decisions: list[PerimeterDecision]
    centroid_shift_m: float | None

    @property
    def area_change_ha(self) -> float:
        before = self.in_force.area_m2 if self.in_force else 0.0
        return round((self.proposed.area_m2 - before) / 10_000, 2)

    @property
    def area_change_percent(self) -> float | None:
        if not self.in_force or not self.in_force.area_m2:
            return None
        return round(
            100 * (self.proposed.area_m2 - self.in_force.area_m2) / self.in_force.area_m2, 1
        )


def perimeter_versions(user: User, hotspot: Hotspot) -> list[PerimeterVersion]:
    """Every version of the hotspot's perimeter ``user`` may read, newest first, with their
    decisions (without their geometries); two queries whatever their number."""
    # The geometries (up to a megabyte each) are read only for the versions drawn or
    # compared: the one in force and a pending change, one query each.
    versions = list(
        hotspot.perimeter_versions.defer("geometry")
        .select_related("proposed_by")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=PerimeterDecision.objects.select_related("commune", "decided_by").defer(
                    "commune__boundary"
                ),
            )
        )
    )
    if not sees_proposals(user, hotspot):
        versions = [v for v in versions if can_view_version(user, hotspot, v)]
    return versions


def pending_change(
    user: User, hotspot: Hotspot, versions: list[PerimeterVersion]
) -> PerimeterChange | None:
    """The change awaiting the mayors, if ``user`` may see it, from ``perimeter_versions``."""
    proposed = next((v for v in versions if v.state == Version.PROPOSED), None)
    if proposed is None or not can_view_version(user, hotspot, proposed):
        return None
    in_force = next((v for v in versions if v.state == Version.IN_FORCE), None)
    facts = perimeter_facts(in_force.geometry if in_force else None, proposed.geometry)
    return PerimeterChange(
        proposed=proposed,
        in_force=in_force,
        decisions=list(proposed.decisions.all()),
        centroid_shift_m=facts.get("centroid_shift_m"),
    )
