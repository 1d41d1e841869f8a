"""The centre of a hotspot's perimeter is stored with it (issue 16): the services that write
the perimeter store it, the data migration fills it, the displacement arrows read it."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordination.core import geo
from hotspots.models import Hotspot
from hotspots.services import hotspots as services
from taskforces.selectors import displacement as selectors
from taskforces.services.displacement import displacement_create
from taskforces.services.taskforces import taskforce_open
from tests.factories import HotspotFactory, commune

pytestmark = pytest.mark.django_db

MIDI_CIRCLE = geo.circle_area(4.3352, 50.8352, 250)
MIDI_WIDER = geo.circle_area(4.3362, 50.8355, 320)
MIGRATION = importlib.import_module("hotspots.migrations.0011_perimeter_centre")
IN_FOREST = (4.3318, 50.8172)


def centre(geometry: dict) -> list[float]:
    return list(geo.area_center(geometry))


@pytest.fixture
def proposed(csir_analyst) -> Hotspot:
    return services.hotspot_propose(
        by=csir_analyst,
        code="HS10",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )


@pytest.fixture
def active(proposed, csir_analyst, mayor_anderlecht, mayor_saint_gilles) -> Hotspot:
    services.hotspot_request_approval(hotspot=proposed, by=csir_analyst)
    services.hotspot_decide(hotspot=proposed, by=mayor_anderlecht, approve=True)
    services.hotspot_decide(hotspot=proposed, by=mayor_saint_gilles, approve=True)
    return services.hotspot_activate(hotspot=proposed, by=csir_analyst)


def test_a_proposal_stores_the_centre_of_its_perimeter(proposed, csir_analyst):
    proposed.refresh_from_db()
    assert proposed.perimeter_centre == centre(MIDI_CIRCLE)
    without = services.hotspot_propose(
        by=csir_analyst,
        code="HS11",
        name_fr="Sans périmètre",
        name_nl="Zonder perimeter",
        communes=[commune("21013")],
    )
    without.refresh_from_db()
    assert without.perimeter is None and without.perimeter_centre is None


def test_a_new_draft_moves_the_centre(proposed, csir_analyst):
    services.hotspot_set_perimeter(hotspot=proposed, by=csir_analyst, perimeter=MIDI_WIDER)
    proposed.refresh_from_db()
    assert proposed.perimeter == MIDI_WIDER
    assert proposed.perimeter_centre == centre(MIDI_WIDER) != centre(MIDI_CIRCLE)


def test_a_change_moves_the_centre_when_it_comes_into_force(
    active, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    change = services.hotspot_set_perimeter(
        hotspot=active, by=csir_analyst, perimeter=MIDI_WIDER, reason="Vers la rue de France."
    )
    services.perimeter_decide(version=change, by=mayor_anderlecht, approve=True)
    active.refresh_from_db()
    # Still the perimeter in force, and its centre, until every mayor approved.
    assert active.perimeter_centre == centre(MIDI_CIRCLE)
    services.perimeter_decide(version=change, by=mayor_saint_gilles, approve=True)
    active.refresh_from_db()
    assert active.perimeter == MIDI_WIDER and active.perimeter_centre == centre(MIDI_WIDER)


def test_the_migration_fills_the_centres(csir_analyst):
    with_perimeter = HotspotFactory(
        code="HS10", communes=["21013"], proposed_by=csir_analyst, perimeter=MIDI_CIRCLE
    )
    broken = HotspotFactory(
        code="HS11", communes=["21013"], proposed_by=csir_analyst, perimeter={"type": "Nonsense"}
    )
    plain = HotspotFactory(code="HS12", communes=["21012"], proposed_by=csir_analyst)
    Hotspot.objects.update(perimeter_centre=None)
    MIGRATION.fill_centres(apps, None)
    centres = dict(Hotspot.objects.values_list("pk", "perimeter_centre"))
    assert centres == {with_perimeter.pk: centre(MIDI_CIRCLE), broken.pk: None, plain.pk: None}


def _report(by, hotspot: Hotspot) -> None:
    displacement_create(
        by=by,
        from_hotspot=hotspot,
        commune=commune("21007"),
        phenomenon="dealing",
        place="Parvis Saint-Antoine",
        observed_on=timezone.localdate() - dt.timedelta(days=1),
        severity="medium",
        lon=IN_FOREST[0],
        lat=IN_FOREST[1],
    )


def _starts(user) -> dict[str, tuple[float, float]]:
    with CaptureQueriesContext(connection) as queries:
        arrows = selectors.under_way_arrows(user)
    assert len(queries) == 2
    return {a.label.split(" ")[0]: (a.from_lon, a.from_lat) for a in arrows}


def test_the_arrows_start_at_the_stored_centre(
    active, csir_analyst, csir_coordinator, police_member
):
    taskforce_open(hotspot=active, by=csir_analyst)
    _report(police_member, active)
    assert _starts(csir_coordinator) == {"HS10": tuple(centre(MIDI_CIRCLE))}
    # The stored point is what is drawn: the perimeter is not read again.
    Hotspot.objects.filter(pk=active.pk).update(perimeter_centre=[4.34, 50.84])
    assert _starts(csir_coordinator) == {"HS10": (4.34, 50.84)}
    # The page's arrows (model instances) read it too.
    reports = selectors.displacement_list(csir_coordinator)
    (arrow,) = selectors.map_arrows(reports)
    assert (arrow.from_lon, arrow.from_lat) == (4.34, 50.84)


def test_a_perimeter_stored_without_its_centre_still_has_its_arrow(
    csir_analyst, csir_coordinator, police_member
):
    # Written outside the services (as the fixtures do): the centre is computed from it.
    hotspot = HotspotFactory(
        code="HS10", communes=["21013", "21001"], proposed_by=csir_analyst, perimeter=MIDI_CIRCLE
    )
    assert hotspot.perimeter_centre is None
    taskforce_open(hotspot=hotspot, by=csir_analyst)
    _report(police_member, hotspot)
    assert _starts(csir_coordinator) == {"HS10": geo.area_center(MIDI_CIRCLE)}
