"""Demo hotspots: the 15 of 2024, approved by their mayors and active, and one awaiting."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import cast

import shapely
from django.utils import timezone

from coordination.core import geo
from coordination.models import Commune, User
from hotspots.models import Hotspot, MayorDecision
from hotspots.services import hotspots as services

DATA = Path(__file__).resolve().parent.parent / "coordination" / "reference" / "data"

# Approximate centres (lon, lat) of the places named in the press; hotspots_2024.csv gives
# names and communes only. Perimeters are circles clipped to the named communes.
CENTRES = {
    "HS01": (4.3530, 50.8600, 220),
    "HS02": (4.3655, 50.8340, 200),
    "HS03": (4.3490, 50.8560, 200),
    "HS04": (4.3445, 50.8385, 180),
    "HS05": (4.3850, 50.8935, 220),
    "HS06": (4.3445, 50.8330, 220),
    "HS07": (4.3190, 50.8405, 200),
    "HS08": (4.2997, 50.8414, 260),
    "HS09": (4.3300, 50.8160, 200),
    "HS10": (4.3352, 50.8352, 260),
    "HS11": (4.3610, 50.8605, 300),
    "HS12": (4.3300, 50.8560, 200),
    "HS13": (4.3420, 50.8575, 180),
    "HS14": (4.3360, 50.8545, 160),
    "HS15": (4.3270, 50.8530, 160),
    "HS16": (4.3385, 50.8230, 200),
}
PHENOMENA = {
    "HS08": ["dealing", "shootings", "exploitation"],
    "HS10": ["dealing", "public_use", "nuisance"],
    "HS11": ["dealing", "public_use", "nuisance"],
    "HS07": ["dealing", "shootings"],
    "HS12": ["dealing", "drive_in"],
}
DESIGNATED_ON = dt.datetime(2024, 3, 20, 10, 0, tzinfo=dt.UTC)
APPROVED_ON = dt.datetime(2024, 3, 28, 16, 0, tzinfo=dt.UTC)
ACTIVATED_ON = dt.datetime(2024, 4, 2, 9, 0, tzinfo=dt.UTC)


def _perimeter(code: str, communes: list[Commune]) -> dict:
    """A circle around the place, clipped to the named communes, grown until it touches all."""
    lon, lat, radius = CENTRES[code]
    shapes = {c.nis_code: geo.parse_area(c.boundary) for c in communes}
    union = None
    for shape in shapes.values():
        union = shape if union is None else union.union(shape)
    for attempt in range(8):
        circle = geo.parse_area(geo.circle_area(lon, lat, radius + attempt * 120))
        clipped = circle.intersection(union).buffer(0)
        if all(clipped.buffer(1e-6).intersects(s) for s in shapes.values()):
            return json.loads(shapely.to_geojson(clipped))
    raise AssertionError(f"no demo perimeter for {code}")


def seed(*, people: dict[str, User]) -> dict[str, Hotspot]:
    analyst = people["csir.analyst"]
    mayors = {
        cast(Commune, u.commune).nis_code: u for u in people.values() if u.role == User.Role.MAYOR
    }
    communes = {c.nis_code: c for c in Commune.objects.all()}
    hotspots: dict[str, Hotspot] = {}
    with (DATA / "hotspots_2024.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            existing = Hotspot.objects.filter(code=code).first()
            if existing:
                hotspots[code] = existing
                continue
            named = [communes[nis] for nis in row["commune_nis_codes"].split(";")]
            hotspot = services.hotspot_propose(
                by=analyst,
                code=code,
                name_fr=row["name_fr"],
                name_nl=row["name_nl"],
                communes=named,
                description=row["note"],
                phenomena=PHENOMENA.get(code, ["dealing", "nuisance"]),
                perimeter=_perimeter(code, named),
            )
            services.hotspot_request_approval(hotspot=hotspot, by=analyst)
            for commune in named:
                services.hotspot_decide(hotspot=hotspot, by=mayors[commune.nis_code], approve=True)
            hotspot = services.hotspot_activate(hotspot=hotspot, by=analyst)
            # The demo replays 2024: date the steps as they happened.
            Hotspot.objects.filter(pk=hotspot.pk).update(
                proposed_at=DESIGNATED_ON, approved_at=APPROVED_ON, activated_at=ACTIVATED_ON
            )
            MayorDecision.objects.filter(hotspot=hotspot).update(
                requested_at=DESIGNATED_ON, decided_at=APPROVED_ON
            )
            hotspot.perimeter_versions.update(proposed_at=DESIGNATED_ON, in_force_from=APPROVED_ON)
            hotspots[code] = hotspot
    hotspots["HS16"] = _awaiting(people, communes)
    return hotspots


def _awaiting(people: dict[str, User], communes: dict[str, Commune]) -> Hotspot:
    """One proposal awaiting the mayors of Saint-Gilles and Forest (Saint-Gilles decided)."""
    existing = Hotspot.objects.filter(code="HS16").first()
    if existing:
        return existing
    named = [communes["21013"], communes["21007"]]
    hotspot = services.hotspot_propose(
        by=people["csir.coordinator"],
        code="HS16",
        name_fr="Barrière de Saint-Gilles",
        name_nl="Bareel van Sint-Gillis",
        communes=named,
        description="Proposition après des signalements de deal autour de la Barrière.",
        phenomena=["dealing", "nuisance"],
        perimeter=_perimeter("HS16", named),
    )
    services.hotspot_request_approval(hotspot=hotspot, by=people["csir.coordinator"])
    services.hotspot_decide(hotspot=hotspot, by=people["mayor.saint-gilles"], approve=True)
    MayorDecision.objects.filter(hotspot=hotspot).update(
        requested_at=timezone.now() - dt.timedelta(days=6)
    )
    return hotspot
