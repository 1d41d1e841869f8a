"""The displacement early warning (issue 15, item 1): buffer and control areas, the
monthly weighted displacement quotient (Bowers & Johnson 2003) and total net effect, the
warning, the page, and values entered or imported per area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from coordination.core import geo
from coordination.models import AuditEntry, Notification
from coordination.notifications.services import message
from coordination.regional.jobs.selectors import JOB_NAMES
from hotspots import tasks
from hotspots.models import (
    Area,
    DisplacementMeasure,
    DisplacementSetup,
    Hotspot,
    IndicatorDefinition,
    IndicatorValue,
)
from hotspots.services import displacement_quotient as services
from hotspots.services.displacement_quotient import Code, Counts, quotient
from tests.factories import HotspotFactory
from tests.factories_taskforces import TaskForceFactory, member

pytestmark = pytest.mark.django_db

D = Decimal
SPLIT = dt.date(2025, 7, 1)
WINDOW = 3
BEFORE = [dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 1)]
AFTER = [dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)]
MONTH = AFTER[-1]


def counts(a0, a1, b0, b1, c0, c1) -> Counts:
    return Counts(*(D(str(v)) for v in (a0, a1, b0, b1, c0, c1)))


# --- The formulas, by hand ----------------------------------------------------------------


def test_displacement_by_hand():
    # (70/1000 − 50/1000) / (60/1000 − 100/1000) = 0.02 / −0.04 = −0.5
    # TNE = (100·1000/1000 − 60) − (70 − 50·1000/1000) = 40 − 20 = 20
    outcome = quotient(counts(100, 60, 50, 70, 1000, 1000))
    assert outcome == services.Outcome(Code.DISPLACEMENT, wdq=D("-0.5000"), tne=D("20.00"))


def test_diffusion_by_hand():
    # B: 30/400 − 40/500 = 0.075 − 0.08 = −0.005; A: 50/400 − 100/500 = 0.125 − 0.2 = −0.075
    # WDQ = −0.005 / −0.075 = 0.0667; TNE = (100·0.8 − 50) − (30 − 40·0.8) = 30 + 2 = 32
    outcome = quotient(counts(100, 50, 40, 30, 500, 400))
    assert outcome.code == Code.DIFFUSION
    assert outcome.wdq == D("0.0667")
    assert outcome.tne == D("32.00")


def test_buffer_unchanged_is_neutral():
    outcome = quotient(counts(100, 60, 50, 50, 1000, 1000))
    assert (outcome.code, outcome.wdq, outcome.tne) == (Code.NEUTRAL, D("0.0000"), D("40.00"))


def test_no_change_in_the_hotspot_is_a_code_not_a_division_by_zero():
    # A1/C1 − A0/C0 = 0.1 − 0.1 = 0: the quotient would divide by zero.
    outcome = quotient(counts(100, 100, 50, 70, 1000, 1000))
    assert outcome.code == Code.NO_CHANGE
    assert outcome.wdq is None
    # The net effect needs no division by the hotspot's change: (100 − 100) − (70 − 50).
    assert outcome.tne == D("-20.00")


def test_hotspot_worse_than_control_is_no_success():
    outcome = quotient(counts(100, 150, 50, 70, 1000, 1000))
    assert (outcome.code, outcome.wdq) == (Code.NO_SUCCESS, None)
    assert outcome.tne == D("-70.00")  # (100 − 150) − (70 − 50)


@pytest.mark.parametrize("c0,c1", [(0, 1000), (1000, 0), (0, 0)])
def test_zero_control_counts_give_the_code(c0, c1):
    outcome = quotient(counts(100, 60, 50, 70, c0, c1))
    assert outcome == services.Outcome(Code.CONTROL_ZERO)


def test_absurd_ratios_are_not_stored_as_overflowing_numbers():
    # A control area of 1 before and 10^10 after: the TNE would not fit its column.
    outcome = quotient(counts(10**10, 1, 0, 10**10, 1, 10**10))
    assert outcome.tne is None
    # A hotspot change of 10^-10 against a buffer change of ~1: no meaningful quotient.
    tiny = quotient(counts(10**10, 10**10 - 1, 0, 10**10, 10**10, 10**10))
    assert (tiny.code, tiny.wdq) == (Code.NO_CHANGE, None)


def test_missing_months_give_the_code():
    assert quotient(counts(100, 60, 50, 70, 1000, 1000), missing_months=2).code == (
        Code.MISSING_MONTHS
    )
    partial = Counts(D(100), None, D(50), D(70), D(1000), D(1000))
    assert quotient(partial) == services.Outcome(Code.MISSING_MONTHS)


# --- The monthly job ------------------------------------------------------------------


def indicator(code: str = "shootings") -> IndicatorDefinition:
    return IndicatorDefinition.objects.get(code=code)


def put_series(hotspot, area, before, after, by, code="shootings"):
    for month, value in zip(BEFORE + AFTER, before + after, strict=True):
        IndicatorValue.in_all_areas.create(
            hotspot=hotspot,
            indicator=indicator(code),
            area=area,
            month=month,
            value=D(value),
            entered_by=by,
        )


def watched(hotspot, by, *, buffer_after=(25, 25, 20)):
    """Split 2025-07, windows of 3 months; sums A 100→60, B 50→sum(buffer_after), C 1000→1000."""
    DisplacementSetup.objects.create(hotspot=hotspot, split_on=SPLIT, window_months=WINDOW)
    put_series(hotspot, Area.HOTSPOT, [40, 30, 30], [20, 20, 20], by)
    put_series(hotspot, Area.BUFFER, [20, 15, 15], list(buffer_after), by)
    put_series(hotspot, Area.CONTROL, [300, 300, 400], [300, 300, 400], by)


def test_starter_set_marks_the_crime_and_nuisance_counts():
    relevant = set(
        IndicatorDefinition.objects.filter(displacement_relevant=True).values_list(
            "code", flat=True
        )
    )
    assert relevant == {"shootings", "resident_complaints"}


def test_job_stores_every_count_used_and_the_hand_computed_figures(hotspot_midi, csir_analyst):
    watched(hotspot_midi, csir_analyst)
    result = services.compute_month(month=MONTH)
    row = DisplacementMeasure.objects.get(hotspot=hotspot_midi, indicator=indicator())
    assert (row.target_before, row.target_after) == (D(100), D(60))
    assert (row.buffer_before, row.buffer_after) == (D(50), D(70))
    assert (row.control_before, row.control_after) == (D(1000), D(1000))
    assert (row.wdq, row.tne, row.code) == (D("-0.5"), D(20), Code.DISPLACEMENT)
    assert (row.split_on, row.window_months, row.missing_months) == (SPLIT, WINDOW, 0)
    # The complaints have no values at all: said by a code, not a crash.
    complaints = DisplacementMeasure.objects.get(
        hotspot=hotspot_midi, indicator=indicator("resident_complaints")
    )
    assert (complaints.code, complaints.missing_months, complaints.wdq) == (
        Code.MISSING_MONTHS,
        18,
        None,
    )
    # −0.5 is not below the threshold of −0.5: no warning.
    assert result.warnings == 0
    assert row.warned_at is None


def test_job_gives_codes_for_too_early_and_never_activated(hotspot_midi, csir_analyst):
    watched(hotspot_midi, csir_analyst)
    services.compute_month(month=AFTER[1])  # only 2 of the 3 after-months have passed
    assert DisplacementMeasure.objects.get(
        hotspot=hotspot_midi, indicator=indicator(), month=AFTER[1]
    ).code == (Code.TOO_EARLY)
    never = HotspotFactory(status=Hotspot.Status.APPROVED, activated_at=None)
    services.compute_month(month=MONTH, hotspot_ids=[never.pk])
    assert set(
        DisplacementMeasure.objects.filter(hotspot=never).values_list("code", flat=True)
    ) == {Code.NO_SPLIT}


def test_job_is_idempotent_and_warns_once(
    hotspot_midi, csir_analyst, csir_coordinator, police_member
):
    taskforce = TaskForceFactory(hotspot=hotspot_midi)
    member(taskforce, police_member)
    # B after = 90: (0.09 − 0.05) / (0.06 − 0.1) = −1, below −0.5, the buffer's count up.
    watched(hotspot_midi, csir_analyst, buffer_after=(30, 30, 30))
    first = services.compute_month(month=MONTH)
    assert first.warnings == 1
    row = DisplacementMeasure.objects.get(hotspot=hotspot_midi, indicator=indicator())
    assert (row.wdq, row.tne) == (D("-1"), D("0"))
    assert row.warned_at is not None
    warned = Notification.objects.filter(kind="displacement_quotient_warning")
    assert {n.recipient for n in warned} == {csir_analyst, csir_coordinator, police_member}
    note = warned.get(recipient=police_member)
    assert note.url == reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk])
    with translation.override("en"):
        text = message(note)
    assert "HS10 Gare du Midi" in text and "-1.0000" in text and "90" in text
    with translation.override("nl"):
        assert "Zuidstation" in message(note)

    # Again, through the Celery task: same rows, no new warning.
    assert tasks.compute_displacement_quotients.apply(kwargs={"month": "2025-09"}).get() == 0
    assert DisplacementMeasure.objects.filter(hotspot=hotspot_midi).count() == 2
    assert warned.count() == 3


def test_a_corrected_value_is_used_at_the_next_run(hotspot_midi, csir_analyst):
    watched(hotspot_midi, csir_analyst)
    services.compute_month(month=MONTH)
    IndicatorValue.in_all_areas.filter(
        hotspot=hotspot_midi, area=Area.CONTROL, month=AFTER[0], indicator=indicator()
    ).update(value=0)
    IndicatorValue.in_all_areas.filter(
        hotspot=hotspot_midi, area=Area.CONTROL, month=AFTER[1], indicator=indicator()
    ).update(value=0)
    IndicatorValue.in_all_areas.filter(
        hotspot=hotspot_midi, area=Area.CONTROL, month=AFTER[2], indicator=indicator()
    ).update(value=0)
    services.compute_month(month=MONTH)
    row = DisplacementMeasure.objects.get(hotspot=hotspot_midi, indicator=indicator())
    assert (row.code, row.wdq, row.tne, row.control_after) == (Code.CONTROL_ZERO, None, None, 0)


def test_beat_entry_and_job_name():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "hotspots.compute_displacement_quotients"
    ]
    assert len(entries) == 1
    assert "hotspots.compute_displacement_quotients" in JOB_NAMES


# --- Buffer ring and control area ---------------------------------------------------------


def test_setup_draws_a_ring_of_the_chosen_width_in_metres(client, hotspot_midi, csir_analyst):
    client.force_login(csir_analyst)
    url = reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk])
    response = client.post(url, {"buffer_metres": "300", "window_months": "4", "split_on": ""})
    assert response.status_code == 302
    setup = DisplacementSetup.objects.get(hotspot=hotspot_midi)
    assert (setup.buffer_metres, setup.window_months, setup.split_on) == (300, 4, None)
    # A 250 m circle and a 300 m ring around it: π(550² − 250²) ≈ 754,000 m².
    ring = geo.area_m2(setup.buffer_geometry)
    assert 0.97 * 754_000 < ring < 1.03 * 754_000
    # The control area is the rest of zone Midi, without the hotspot and its buffer.
    control = geo.project_lambert2008(setup.control_geometry)
    assert control.area > 10 * ring
    assert control.distance(geo.project_lambert2008(hotspot_midi.perimeter)) > 290
    assert not setup.control_is_custom
    assert AuditEntry.objects.filter(action="displacement.setup_set").count() == 1
    # The page draws the three areas (the buffer ring with its own class for maps.js).
    page = client.get(url).content.decode()
    assert "buffer-ring" in page and "control-area" in page


@pytest.mark.parametrize(
    "data",
    [
        {"buffer_metres": "10", "window_months": "6"},
        {"buffer_metres": "400", "window_months": "99"},
        {"buffer_metres": "x" * 500, "window_months": "6"},
        {"buffer_metres": "400", "window_months": "6", "split_on": "0000-01-01"},
        {"buffer_metres": "400", "window_months": "6", "split_on": "2099-01-01"},
    ],
)
def test_setup_rejects_bad_input_without_a_5xx(client, hotspot_midi, csir_analyst, data):
    client.force_login(csir_analyst)
    url = reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk])
    assert client.post(url, data).status_code == 200
    assert not DisplacementSetup.objects.exists()


# --- Access -----------------------------------------------------------------------------


def test_access_404_and_403(client, csir_analyst, police_member, cores_member, hotspot_midi):
    proposed = HotspotFactory(status=Hotspot.Status.PROPOSED, communes=["21001"])
    client.force_login(police_member)
    assert client.get(reverse("hotspots:displacement_hotspot", args=[proposed.pk])).status_code == (
        404
    )
    assert client.get(reverse("hotspots:displacement_hotspot", args=[99999])).status_code == 404
    url = reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk])
    assert client.get(url).status_code == 200
    # Sees it, may not change its set-up.
    assert client.post(url, {"buffer_metres": "500", "window_months": "6"}).status_code == 403
    overview = client.get(reverse("hotspots:displacement_quotient")).content.decode()
    assert proposed.code not in overview and "HS10" in overview
    assert client.put(url).status_code == 405
    client.force_login(cores_member)
    assert client.post(url, {"buffer_metres": "500", "window_months": "6"}).status_code == 403
    assert not DisplacementSetup.objects.exists()
    client.logout()
    assert client.get(reverse("hotspots:displacement_quotient")).status_code == 302


def test_page_shows_the_quotient_and_its_inputs(client, hotspot_midi, csir_analyst):
    watched(hotspot_midi, csir_analyst)
    services.compute_month(month=MONTH)
    client.force_login(csir_analyst)
    client.cookies["django_language"] = "en"
    overview = client.get(reverse("hotspots:displacement_quotient")).content.decode()
    assert "The method in plain words" in overview
    assert "-0.5" in overview and "Displacement" in overview
    page = client.get(reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk]))
    text = page.content.decode()
    assert "WDQ -0.5" in text and "total net effect 20" in text
    assert "Before: April 2025 to June 2025; after: July 2025 to September 2025." in text
    assert "<svg" in text  # the trend chart
    # The reasons of the complaints' missing quotient are explained in words.
    assert "Some months have no value" in text


def _overview_queries(client, django_assert_num_queries, expected: int) -> None:
    with django_assert_num_queries(expected):
        assert client.get(reverse("hotspots:displacement_quotient")).status_code == 200


def test_overview_query_count_does_not_grow(
    client, csir_analyst, hotspot_midi, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    watched(hotspot_midi, csir_analyst)
    services.compute_month(month=MONTH)
    client.force_login(csir_analyst)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("hotspots:displacement_quotient"))
    for _ in range(4):
        other = HotspotFactory()
        DisplacementSetup.objects.create(hotspot=other, split_on=SPLIT, window_months=WINDOW)
    services.compute_month(month=MONTH)
    services.compute_month(month=AFTER[1])
    assert DisplacementMeasure.objects.count() == 20
    _overview_queries(client, django_assert_num_queries, len(small.captured_queries))


def test_hotspot_page_query_count_does_not_grow(client, csir_analyst, hotspot_midi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    watched(hotspot_midi, csir_analyst)
    services.compute_month(month=MONTH)
    client.force_login(csir_analyst)
    url = reverse("hotspots:displacement_hotspot", args=[hotspot_midi.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for month in (dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)):
        services.compute_month(month=month)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Entering and importing per area ------------------------------------------------------


def test_grid_switches_area_and_saves_in_it(client, hotspot_midi, csir_analyst):
    put_series(hotspot_midi, Area.BUFFER, [7, 7, 7], [7, 7, 7], csir_analyst)
    client.force_login(csir_analyst)
    url = reverse("hotspots:indicator_grid", args=[hotspot_midi.pk])
    buffer_page = client.get(f"{url}?year=2025&area=buffer").content.decode()
    assert 'aria-current="page">Buffer area<' in buffer_page or "Buffer area" in buffer_page
    assert 'value="7"' in buffer_page
    hotspot_page = client.get(f"{url}?year=2025").content.decode()
    assert 'value="7"' not in hotspot_page
    key = f"c-{indicator().pk}-2025-10"
    cell = reverse("hotspots:indicator_cell", args=[hotspot_midi.pk])
    response = client.post(
        f"{cell}?area=control",
        {f"{key}-value": "12", f"{key}-original": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    stored = IndicatorValue.in_all_areas.get(month=dt.date(2025, 10, 1))
    assert (stored.area, stored.value) == (Area.CONTROL, D(12))
    # The hotspot's own figures (grids, reports, completeness) never see it.
    assert not IndicatorValue.objects.filter(month=dt.date(2025, 10, 1)).exists()


@pytest.mark.parametrize(
    "text",
    [
        "hotspot;indicateur;zone;mois;valeur\nHS10;shootings;tampon;2025-01;4\n"
        "HS10;shootings;contrôle;2025-01;40\nHS10;shootings;;2025-01;2\n",
        "hotspot;indicator;gebied;maand;waarde\nHS10;shootings;buffer;2025-01;4\n"
        "HS10;shootings;controle;2025-01;40\nHS10;shootings;hotspot;2025-01;2\n",
    ],
    ids=["fr", "nl"],
)
def test_import_reads_the_area_column_in_french_and_dutch(client, hotspot_midi, csir_analyst, text):
    client.force_login(csir_analyst)
    upload = SimpleUploadedFile("v.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("hotspots:indicator_import"), {"file": upload})
    assert response.status_code == 302
    stored = dict(
        IndicatorValue.in_all_areas.filter(hotspot=hotspot_midi).values_list("area", "value")
    )
    assert stored == {Area.BUFFER: D(4), Area.CONTROL: D(40), Area.HOTSPOT: D(2)}


def test_import_refuses_an_unknown_area(client, hotspot_midi, csir_analyst):
    client.force_login(csir_analyst)
    client.cookies["django_language"] = "en"
    text = "hotspot,indicator,area,month,value\nHS10,shootings,moon,2025-01,4\n"
    upload = SimpleUploadedFile("v.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("hotspots:indicator_import"), {"file": upload})
    assert response.status_code == 200
    assert "Area “moon” is not hotspot, buffer or control." in response.content.decode()
    assert not IndicatorValue.in_all_areas.exists()


def test_demo_shows_displacement_at_clemenceau(csir_analyst):
    from hotspots import demo_indicators

    clemenceau = HotspotFactory(code="HS07", name_fr="Clemenceau", name_nl="Clemenceau")
    midi = HotspotFactory(code="HS10", communes=["21013", "21001"])
    demo_indicators.seed(
        people={"csir.analyst": csir_analyst}, hotspots={"HS07": clemenceau, "HS10": midi}
    )
    latest = (
        DisplacementMeasure.objects.filter(hotspot=clemenceau, indicator=indicator())
        .order_by("-month")
        .first()
    )
    assert latest is not None and latest.code == Code.DISPLACEMENT
    count = DisplacementMeasure.objects.count()
    demo_indicators.seed(
        people={"csir.analyst": csir_analyst}, hotspots={"HS07": clemenceau, "HS10": midi}
    )
    assert DisplacementMeasure.objects.count() == count
