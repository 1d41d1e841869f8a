"""Demo hotspots: the 15 of 2024, approved by their mayors and active, and one awaiting."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import shapely
from django.utils import timezone

from coordination.core import geo, workdays
from coordination.core.demo_texts import stored
from coordination.models import Commune, CoresDecision, CoresMeeting, User
from hotspots.models import Hotspot, HotspotListChange, MayorDecision, PoliceOrder
from hotspots.services import hotspot_list as list_services
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
# What the CSIR wrote about some hotspots, in French with its Dutch translation (the data
# file's ``note`` column holds the compilers' English remarks: never shown).
DESCRIPTIONS = {
    "HS06": (
        "Le périmètre s'étend sur deux communes, la Ville de Bruxelles et Saint-Gilles, "
        "autour de la Porte de Hal et des accès à la station de métro.",
        "De perimeter ligt op het grondgebied van twee gemeenten, de Stad Brussel en "
        "Sint-Gillis, rond de Hallepoort en de toegangen tot het metrostation.",
    ),
    "HS10": (
        "Le périmètre s'étend sur Saint-Gilles et Anderlecht, aux abords de la Gare du Midi, "
        "là où a été mené le précédent plan « Gare du Midi ».",
        "De perimeter ligt op het grondgebied van Sint-Gillis en Anderlecht, rond het "
        "Zuidstation, waar het vorige plan ‘Zuidstation’ werd uitgevoerd.",
    ),
    "HS11": (
        "Le périmètre s'étend sur Schaerbeek, Saint-Josse-ten-Noode et la Ville de Bruxelles "
        "et relève de deux zones de police : 5344 (Schaerbeek, Saint-Josse-ten-Noode, Evere) "
        "et 5339 (Bruxelles-Capitale Ixelles).",
        "De perimeter ligt op het grondgebied van Schaarbeek, Sint-Joost-ten-Node en de Stad "
        "Brussel en valt onder twee politiezones: 5344 (Schaarbeek, Sint-Joost-ten-Node, "
        "Evere) en 5339 (Brussel-Hoofdstad Elsene).",
    ),
}
AWAITING_DESCRIPTION = "Proposition après des signalements de deal autour de la Barrière."
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
                hotspots[code] = _describe(existing, note=row["note"])
                continue
            named = [communes[nis] for nis in row["commune_nis_codes"].split(";")]
            hotspot = services.hotspot_propose(
                by=analyst,
                code=code,
                name_fr=row["name_fr"],
                name_nl=row["name_nl"],
                communes=named,
                description=DESCRIPTIONS.get(code, ("", ""))[0],
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
            hotspots[code] = _describe(hotspot, note=row["note"])
    hotspots["HS16"] = _awaiting(people, communes)
    hotspots.update(_later_hotspots(people, communes))
    return hotspots


def _describe(hotspot: Hotspot, *, note: str) -> Hotspot:
    """Give ``hotspot`` its French description and Dutch translation (``DESCRIPTIONS``).

    Also mends a demo seeded before, whose description was the data file's English note;
    a description someone wrote since is left alone.
    """
    french, dutch = DESCRIPTIONS.get(hotspot.code, ("", ""))
    if not french or hotspot.description not in {"", note, french}:
        return hotspot
    texts = stored({"description": (french, dutch)}, original="fr", translated=True)
    if all(getattr(hotspot, name) == value for name, value in texts.items()):
        return hotspot
    Hotspot.objects.filter(pk=hotspot.pk).update(**texts)
    hotspot.refresh_from_db()
    return hotspot


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
        description=AWAITING_DESCRIPTION,  # not translated yet: on the "to translate" list
        phenomena=["dealing", "nuisance"],
        perimeter=_perimeter("HS16", named),
    )
    services.hotspot_request_approval(hotspot=hotspot, by=people["csir.coordinator"])
    services.hotspot_decide(hotspot=hotspot, by=people["mayor.saint-gilles"], approve=True)
    requested = workdays.on_or_before(timezone.localdate() - dt.timedelta(days=6))
    MayorDecision.objects.filter(hotspot=hotspot).update(
        requested_at=timezone.make_aware(dt.datetime.combine(requested, dt.time(10, 0)))
    )
    decided = workdays.add_working_days(requested, 2)
    MayorDecision.objects.filter(hotspot=hotspot, decided_at__isnull=False).update(
        decided_at=timezone.make_aware(dt.datetime.combine(decided, dt.time(16, 0)))
    )
    return hotspot


# --- The hotspot list over time (issue 15, item 3) --------------------------------------
#
# The 15 hotspots of 29 March 2024 grew to 17 in the regional police order by February
# 2025, and an 18th (Marbotin, Schaerbeek) came into force on 12 December 2025. The press
# names Marbotin only: the two hotspots of February 2025 are demo places. HS17 is not used:
# the task-force demo draws each plan from the code, and HS17's would fall short of the
# demo's 15 actions.

LATER = {
    # code: (name_fr, name_nl, communes, proposed, approved, activated)
    "HS18": ("Anneessens", "Anneessens", ["21004"], "2025-01-20", "2025-02-20", "2025-02-28"),
    "HS19": (
        "Gare de l'Ouest",
        "Weststation",
        ["21012"],
        "2025-01-20",
        "2025-02-20",
        "2025-02-28",
    ),
    # The mayor approved Marbotin and its task force opened before the regional order
    # listed it (12 December 2025).
    "HS20": ("Marbotin", "Marbotin", ["21015"], "2025-09-15", "2025-10-06", "2025-10-08"),
}
CENTRES.update(
    {
        "HS18": (4.3440, 50.8445, 180),
        "HS19": (4.3215, 50.8485, 200),
        "HS20": (4.3725, 50.8640, 200),
    }
)
LIST_NAMED_ON = dt.date(2024, 3, 29)
FEBRUARY_2025 = (dt.date(2025, 2, 26), dt.date(2025, 2, 28))  # decided, in force
MARBOTIN_ON = dt.date(2025, 12, 12)
HOLD_MEETING = dt.date(2025, 9, 4)
REVIEW_MEETING = dt.date(2026, 3, 5)
#: The hotspots the CoReS moved to the hold phase, with their exit criteria (French,
#: Dutch) and whether the review found each met.
HOLDS = {
    "HS05": [
        (
            "Aucun point de deal fixe constaté par la police pendant six mois",
            "Zes maanden lang geen vaste dealplek vastgesteld door de politie",
            True,
        ),
        (
            "Plaintes des habitants revenues au niveau de 2023",
            "Klachten van bewoners terug op het niveau van 2023",
            False,
        ),
    ],
    "HS14": [
        (
            "Fréquentation du parc rendue aux familles (comptage trimestriel)",
            "Het park opnieuw door gezinnen gebruikt (driemaandelijkse telling)",
            True,
        ),
        (
            "Relais du travail de rue assuré par les services communaux",
            "Overname van het straathoekwerk door de gemeentediensten",
            True,
        ),
    ],
}
HOLD_NOTE = (
    "Phase intensive terminée : maintien d'une présence préventive et suivi des critères de "
    "sortie.",
    "Intensieve fase afgerond: preventieve aanwezigheid blijft, de exitcriteria worden opgevolgd.",
)


def _at(day: str, hour: int) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, 0), tzinfo=dt.UTC)


def _later_hotspots(people: dict[str, User], communes: dict[str, Commune]) -> dict[str, Hotspot]:
    """The hotspots added to the list after 2024, approved and active, dated as they were."""
    analyst = people["csir.analyst"]
    mayors = {
        cast(Commune, u.commune).nis_code: u for u in people.values() if u.role == User.Role.MAYOR
    }
    later: dict[str, Hotspot] = {}
    for code, (name_fr, name_nl, nis_codes, proposed, approved, activated) in LATER.items():
        existing = Hotspot.objects.filter(code=code).first()
        if existing:
            later[code] = existing
            continue
        named = [communes[nis] for nis in nis_codes]
        hotspot = services.hotspot_propose(
            by=analyst,
            code=code,
            name_fr=name_fr,
            name_nl=name_nl,
            communes=named,
            phenomena=["dealing", "nuisance"],
            perimeter=_perimeter(code, named),
        )
        services.hotspot_request_approval(hotspot=hotspot, by=analyst)
        for commune in named:
            services.hotspot_decide(hotspot=hotspot, by=mayors[commune.nis_code], approve=True)
        hotspot = services.hotspot_activate(hotspot=hotspot, by=analyst)
        Hotspot.objects.filter(pk=hotspot.pk).update(
            proposed_at=_at(proposed, 10),
            approved_at=_at(approved, 16),
            activated_at=_at(activated, 9),
        )
        MayorDecision.objects.filter(hotspot=hotspot).update(
            requested_at=_at(proposed, 10), decided_at=_at(approved, 16)
        )
        hotspot.perimeter_versions.update(
            proposed_at=_at(proposed, 10), in_force_from=_at(approved, 16)
        )
        hotspot.refresh_from_db()
        later[code] = hotspot
    return later


def _regional_order_on(day: dt.date) -> PoliceOrder | None:
    return (
        PoliceOrder.objects.filter(
            scope=PoliceOrder.Scope.REGIONAL, valid_from__lte=day, valid_until__gte=day
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def _source(
    *, decision: CoresDecision | None = None, order: PoliceOrder | None = None
) -> dict[str, Any]:
    """The source of a demo change: the decision, else the order, else the mayors' approval
    (a demo seeded without the CoReS or the orders still has its list)."""
    Source = HotspotListChange.Source
    if decision is not None:
        return {"source_kind": Source.CORES_DECISION, "cores_decision": decision}
    if order is not None:
        return {"source_kind": Source.ORDER_AMENDMENT, "police_order": order}
    return {"source_kind": Source.MAYORS_APPROVAL}


def seed_list_history(*, people: dict[str, User]) -> list[HotspotListChange]:
    """The list's history: 15 hotspots named on 29 March 2024, 17 by February 2025, 18 from
    12 December 2025, and two hotspots in the hold phase with their exit criteria.

    Run after the CoReS meetings and the regional orders (the sources). Idempotent: a
    hotspot's change already recorded for its date is left as it is."""
    by = people["csir.coordinator"]
    Change = HotspotListChange.Change
    validate = CoresDecision.objects.filter(
        kind=CoresDecision.Kind.VALIDATE_HOTSPOTS, meeting__held_on=LIST_NAMED_ON
    ).first()
    hold = CoresDecision.objects.filter(meeting__held_on=HOLD_MEETING).order_by("id").first()
    review = CoresMeeting.objects.filter(held_on=REVIEW_MEETING).first()
    codes = {h.code: h for h in Hotspot.objects.filter(code__regex=r"^HS(0[1-9]|1[0-9]|20)$")}
    plan: list[tuple[str, str, dt.date, dt.date, dict[str, Any], tuple[str, str]]] = []
    for number in range(1, 16):
        plan.append(
            (
                f"HS{number:02d}",
                Change.ADD,
                LIST_NAMED_ON,
                LIST_NAMED_ON,
                _source(decision=validate),
                ("", ""),
            )
        )
    february = _source(order=_regional_order_on(FEBRUARY_2025[0]))
    for code in ("HS18", "HS19"):
        plan.append((code, Change.ADD, *FEBRUARY_2025, february, ("", "")))
    marbotin = _source(order=_regional_order_on(MARBOTIN_ON))
    plan.append(("HS20", Change.ADD, MARBOTIN_ON, MARBOTIN_ON, marbotin, ("", "")))
    if hold is not None:
        for code in HOLDS:
            plan.append(
                (code, Change.HOLD, HOLD_MEETING, HOLD_MEETING, _source(decision=hold), HOLD_NOTE)
            )
    recorded = []
    for code, change, decided_on, in_force_on, source, note in plan:
        hotspot = codes.get(code)
        if hotspot is None or hotspot.list_changes.filter(in_force_on=in_force_on).exists():
            continue
        recorded.append(
            list_services.list_change_record(
                hotspot=hotspot,
                by=by,
                change=change,
                decided_on=decided_on,
                in_force_on=in_force_on,
                note=note[0],
                note_translation=note[1],
                language="fr",
                **source,
            )
        )
    for code, criteria in HOLDS.items():
        hotspot = codes.get(code)
        if hotspot is None or hold is None or hotspot.exit_criteria.exists():
            continue
        for french, dutch, met in criteria:
            criterion = list_services.exit_criterion_add(
                hotspot=hotspot, by=by, **stored({"text": (french, dutch)}, original="fr")
            )
            if review is not None:
                list_services.exit_criterion_review(
                    criterion=criterion, by=by, met=met, meeting=review
                )
    return recorded
