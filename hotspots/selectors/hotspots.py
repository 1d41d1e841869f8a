"""Reads of hotspots and the mayors' decisions, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from guardian.shortcuts import get_objects_for_user

from coordination.core import geo
from coordination.models import Commune, PoliceZone, Strategy, User
from coordination.reference import selectors as reference_selectors
from hotspots.models import Hotspot, MayorDecision
from hotspots.permissions import DECIDE_PERM, visible_hotspots

Status = Hotspot.Status


def with_details(hotspots: QuerySet[Hotspot]) -> QuerySet[Hotspot]:
    """Communes, their police zones and the decisions, prefetched once for the whole list."""
    return hotspots.prefetch_related(
        Prefetch("communes", queryset=Commune.objects.select_related("police_zone")),
        Prefetch(
            "decisions",
            queryset=MayorDecision.objects.select_related("commune", "decided_by"),
        ),
    )


def hotspot_list(
    user: User, *, status: str = "", commune: str = "", zone: str = ""
) -> list[Hotspot]:
    hotspots = visible_hotspots(user)
    if status:
        hotspots = hotspots.filter(status=status)
    if commune:
        hotspots = hotspots.filter(communes__nis_code=commune)
    if zone:
        hotspots = hotspots.filter(communes__police_zone__number=zone)
    return list(with_details(hotspots.distinct().order_by("code")))


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
    """
    communes = [
        geo.MapArea(geometry=c.boundary, label=c.name, css_class="")
        for c in reference_selectors.communes()
    ]
    return _render(communes, hotspots, title=title, link=link, arrows=arrows)


def hotspot_map(hotspot: Hotspot, *, title: str) -> SafeString:
    """The hotspot's own communes with its perimeter, zoomed in."""
    communes = [geo.MapArea(geometry=c.boundary, label=c.name) for c in hotspot.communes.all()]
    return _render(communes, [hotspot], title=title, link=False)


def _render(
    communes: list[geo.MapArea],
    hotspots: list[Hotspot],
    *,
    title: str,
    link: bool,
    arrows: Sequence[geo.MapArrow] = (),
) -> SafeString:
    areas = [
        geo.MapArea(
            geometry=h.perimeter,
            label=f"{h.code} {h.name} · {h.get_status_display()}",
            css_class=f"status-{h.status}",
            href=reverse("hotspots:detail", args=[h.pk]) if link else "",
        )
        for h in hotspots
        if h.perimeter
    ]
    # Labels would pile up in the centre of the region: names are in the tooltips and the
    # table beside the map. render_map_svg escapes every label and filters classes and
    # links: its output is safe.
    return mark_safe(  # noqa: S308
        geo.render_map_svg(
            communes=communes, areas=areas, arrows=arrows, title=title, show_labels=False
        )
    )


def awaiting_decision(user: User) -> list[MayorDecision]:
    """The decisions this mayor still owes, oldest request first ("awaiting your decision")."""
    if user.role != User.Role.MAYOR:
        return []
    return list(
        MayorDecision.objects.filter(
            commune_id=cast(int, user.commune_id),
            decision=MayorDecision.Decision.PENDING,
            hotspot__status=Status.AWAITING_APPROVAL,
            hotspot__in=get_objects_for_user(
                user, DECIDE_PERM, klass=Hotspot, with_superuser=False, accept_global_perms=False
            ).values("pk"),
        )
        .select_related("hotspot", "commune")
        .order_by("requested_at")
    )
