"""The hotspot list over time (issue 15, item 3): the list in force on any date, each
hotspot's phase (intensive, hold, off the list), the source of every change, the exit
criteria and their reviews, the page, and the counts by phase in the report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from coordination.audit.models import AuditEntry
from coordination.models import CoresDecision, CoresMeeting
from coordination.people.demo import seed_agencies, seed_people
from coordination.regional.cores import demo as cores_demo
from coordination.strategy.demo import seed_strategy
from hotspots import demo as hotspot_demo
from hotspots import demo_orders
from hotspots.models import (
    ExitCriterion,
    ExitCriterionReview,
    Hotspot,
    HotspotListChange,
    HotspotPhase,
)
from hotspots.selectors import hotspot_list as selectors
from hotspots.services import hotspot_list as services
from reporting import render, snapshot
from tests.factories import HotspotFactory

pytestmark = pytest.mark.django_db

Change = HotspotListChange.Change
Source = HotspotListChange.Source
URL = reverse("hotspots:list_history")
RECORD = reverse("hotspots:list_change_record")
QUIET = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def demo() -> dict:
    return seed_list_demo()


def seed_list_demo() -> dict:
    """The demo's people, strategy, hotspots, regional orders, CoReS meetings and the
    list's history: the parts the list needs, not the whole (slow) demo."""
    with override_settings(MAILERS=QUIET):
        people = seed_people(seed_agencies())
        coordinator = people["csir.coordinator"]
        seed_strategy(by=coordinator)
        hotspot_demo.seed(people=people)
        demo_orders.seed_regional(by=coordinator, today=timezone.localdate())
        cores_demo.seed_meetings(by=coordinator)
        hotspot_demo.seed_list_history(people=people)
    return people


def codes(on: dt.date) -> list[str]:
    return [h.code for h in selectors.hotspots_in_force(on=on)]


def test_the_demo_list_as_of_three_dates(demo):
    assert len(codes(dt.date(2024, 6, 1))) == 15
    assert len(codes(dt.date(2025, 3, 1))) == 17
    assert len(codes(dt.date(2025, 12, 15))) == 18
    assert codes(dt.date(2024, 3, 28)) == []
    assert codes(dt.date(2024, 6, 1)) == [f"HS{n:02d}" for n in range(1, 16)]
    assert set(codes(dt.date(2025, 3, 1))) - set(codes(dt.date(2024, 6, 1))) == {"HS18", "HS19"}
    (marbotin,) = set(codes(dt.date(2025, 12, 15))) - set(codes(dt.date(2025, 3, 1)))
    hotspot = Hotspot.objects.get(code=marbotin)
    assert hotspot.name_fr == "Marbotin"
    assert [c.nis_code for c in hotspot.communes.all()] == ["21015"]  # Schaerbeek
    assert codes(dt.date(2025, 12, 11)) == codes(dt.date(2025, 3, 1))  # in force on the 12th
    # The HS16 proposal, still awaiting its mayors, is on no list.
    assert "HS16" not in codes(timezone.localdate())


def test_the_demo_names_the_sources(demo):
    first = HotspotListChange.objects.get(hotspot__code="HS01", change=Change.ADD)
    assert first.source_kind == Source.CORES_DECISION
    assert first.cores_decision.kind == CoresDecision.Kind.VALIDATE_HOTSPOTS
    assert first.cores_decision.meeting.held_on == dt.date(2024, 3, 29)
    february = HotspotListChange.objects.get(hotspot__code="HS18")
    assert february.source_kind == Source.ORDER_AMENDMENT
    assert february.police_order.scope == "regional"
    assert february.police_order.valid_from <= february.in_force_on
    assert february.police_order.valid_until >= february.in_force_on


def test_the_demo_has_hotspots_in_hold_with_exit_criteria(demo):
    rows = selectors.with_criteria(
        selectors.list_as_of(on=dt.date(2026, 6, 1)), on=dt.date(2026, 6, 1)
    )
    held = {row.hotspot.code: row for row in rows if row.phase == HotspotPhase.HOLD}
    assert set(held) == {"HS05", "HS14"}
    assert held["HS05"].since == dt.date(2025, 9, 4)
    assert [c.status for c in held["HS05"].criteria] == ["met", "not_met"]
    assert [c.status for c in held["HS14"].criteria] == ["met", "met"]
    assert held["HS14"].criteria[0].review.meeting.held_on == dt.date(2026, 3, 5)
    # Before the review, the criteria were not reviewed yet.
    early = selectors.with_criteria(
        selectors.list_as_of(on=dt.date(2025, 10, 1)), on=dt.date(2025, 10, 1)
    )
    statuses = {c.status for row in early for c in row.criteria}
    assert statuses == {"not_reviewed"}
    counts = selectors.phase_counts(on=dt.date(2026, 6, 1))
    assert counts == {"intensive": 16, "hold": 2, "exited": 0}


def test_seeding_the_list_again_changes_nothing(demo):
    before = (
        HotspotListChange.objects.count(),
        ExitCriterion.objects.count(),
        ExitCriterionReview.objects.count(),
    )
    assert hotspot_demo.seed_list_history(people=demo) == []
    after = (
        HotspotListChange.objects.count(),
        ExitCriterion.objects.count(),
        ExitCriterionReview.objects.count(),
    )
    assert after == before


# --- The service -------------------------------------------------------------------------


@pytest.fixture
def meeting(csir_coordinator) -> CoresMeeting:
    return CoresMeeting.objects.create(held_on=dt.date(2024, 3, 29), created_by=csir_coordinator)


@pytest.fixture
def decision(meeting, csir_coordinator) -> CoresDecision:
    return CoresDecision.objects.create(
        meeting=meeting,
        kind=CoresDecision.Kind.VALIDATE_HOTSPOTS,
        text="Le CoReS valide la liste.",
        created_by=csir_coordinator,
    )


def add(hotspot, by, decision, on=dt.date(2024, 3, 29), **kwargs):
    return services.list_change_record(
        hotspot=hotspot,
        by=by,
        change=kwargs.pop("change", Change.ADD),
        source_kind=Source.CORES_DECISION,
        cores_decision=decision,
        in_force_on=on,
        **kwargs,
    )


def test_a_change_without_a_source_is_refused(csir_coordinator, hotspot_midi):
    with pytest.raises(ValidationError) as error:
        services.list_change_record(
            hotspot=hotspot_midi,
            by=csir_coordinator,
            change=Change.ADD,
            source_kind=Source.CORES_DECISION,
            in_force_on=dt.date(2024, 3, 29),
        )
    assert "cores_decision" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.list_change_record(
            hotspot=hotspot_midi,
            by=csir_coordinator,
            change=Change.ADD,
            source_kind=Source.ORDER_AMENDMENT,
            in_force_on=dt.date(2024, 3, 29),
        )
    assert "police_order" in error.value.message_dict
    assert not HotspotListChange.objects.exists()
    # The database refuses it too, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        HotspotListChange.objects.create(
            hotspot=hotspot_midi,
            change=Change.ADD,
            decided_on=dt.date(2024, 3, 29),
            in_force_on=dt.date(2024, 3, 29),
            source_kind=Source.CORES_DECISION,
            recorded_by=csir_coordinator,
        )


def test_a_phase_change_is_audited_and_history_kept(csir_coordinator, hotspot_midi, decision):
    add(hotspot_midi, csir_coordinator, decision)
    held = add(
        hotspot_midi,
        csir_coordinator,
        decision,
        on=dt.date(2025, 1, 10),
        change=Change.HOLD,
        note="Phase intensive terminée.",
        language="fr",
        note_translation="Intensieve fase afgerond.",
    )
    assert held.decided_on == dt.date(2024, 3, 29)  # the meeting's date by default
    entry = AuditEntry.objects.filter(action="hotspot.list_change").latest("pk")
    assert entry.actor == csir_coordinator
    assert entry.target_id == str(hotspot_midi.pk)
    assert entry.changes["phase"] == ["intensive", "hold"]
    assert entry.changes["cores_decision"] == decision.pk
    assert AuditEntry.objects.filter(action="hotspot.list_change").count() == 2
    assert selectors.list_as_of(on=dt.date(2024, 12, 31))[0].phase == HotspotPhase.INTENSIVE
    assert selectors.list_as_of(on=dt.date(2025, 1, 10))[0].phase == HotspotPhase.HOLD
    closed = add(hotspot_midi, csir_coordinator, decision, on=dt.date(2025, 6, 1), change="close")
    assert closed.phase == HotspotPhase.EXITED
    assert selectors.hotspots_in_force(on=dt.date(2025, 6, 1)) == []
    assert selectors.phase_counts(on=dt.date(2025, 6, 1))["exited"] == 1
    # Nothing is deleted: the whole history reads back.
    assert list(hotspot_midi.list_changes.values_list("change", flat=True)) == [
        "add",
        "hold",
        "close",
    ]


@pytest.mark.parametrize(
    ("change", "on", "field"),
    [
        (Change.HOLD, dt.date(2025, 2, 1), "change"),  # held twice
        (Change.ADD, dt.date(2025, 2, 1), "change"),  # added twice
        (Change.CLOSE, dt.date(2024, 12, 1), "in_force_on"),  # before the last change
        (Change.CLOSE, dt.date(2024, 3, 28), "in_force_on"),  # before it was decided
        (Change.CLOSE, dt.date(2023, 1, 1), "in_force_on"),  # before the strategy
    ],
)
def test_changes_that_do_not_fit_are_refused(
    csir_coordinator, hotspot_midi, decision, change, on, field
):
    add(hotspot_midi, csir_coordinator, decision)
    add(hotspot_midi, csir_coordinator, decision, on=dt.date(2025, 1, 10), change=Change.HOLD)
    with pytest.raises(ValidationError) as error:
        add(hotspot_midi, csir_coordinator, decision, on=on, change=change)
    assert field in error.value.message_dict
    assert hotspot_midi.list_changes.count() == 2


def test_only_the_csir_records_and_only_approved_hotspots(
    mayor_anderlecht, cores_member, csir_analyst, hotspot_midi, decision
):
    for person in (mayor_anderlecht, cores_member):
        with pytest.raises(PermissionDenied):
            add(hotspot_midi, person, decision)
    proposal = HotspotFactory(status=Hotspot.Status.PROPOSED)
    with pytest.raises(ValidationError):
        add(proposal, csir_analyst, decision)
    assert not HotspotListChange.objects.exists()


def test_exit_criteria_reviewed_at_a_cores_meeting(csir_coordinator, hotspot_midi, meeting):
    criterion = services.exit_criterion_add(
        hotspot=hotspot_midi,
        by=csir_coordinator,
        text="Plus de point de deal fixe",
        language="fr",
        text_translation="Geen vaste dealplek meer",
    )
    later = CoresMeeting.objects.create(held_on=dt.date(2025, 3, 6), created_by=csir_coordinator)
    services.exit_criterion_review(
        criterion=criterion, by=csir_coordinator, met=False, meeting=meeting
    )
    services.exit_criterion_review(
        criterion=criterion, by=csir_coordinator, met=True, meeting=later
    )
    assert list(criterion.reviews.values_list("met", "reviewed_on")) == [
        (True, dt.date(2025, 3, 6)),
        (False, dt.date(2024, 3, 29)),
    ]
    actions = list(
        AuditEntry.objects.filter(target_id=str(hotspot_midi.pk)).values_list("action", flat=True)
    )
    assert actions.count("hotspot.exit_criterion_review") == 2
    assert "hotspot.exit_criterion_add" in actions
    with pytest.raises(PermissionDenied):
        services.exit_criterion_review(
            criterion=criterion, by=HotspotFactory().proposed_by, met=True
        )


# --- The pages ---------------------------------------------------------------------------


@pytest.fixture
def listed(csir_coordinator, hotspot_midi, hotspot_molenbeek, decision):
    add(hotspot_midi, csir_coordinator, decision)
    add(hotspot_molenbeek, csir_coordinator, decision)
    add(hotspot_molenbeek, csir_coordinator, decision, on=dt.date(2025, 1, 10), change="hold")
    return hotspot_midi, hotspot_molenbeek


@pytest.mark.parametrize(
    "who",
    [
        "csir_coordinator",
        "csir_analyst",
        "mayor_anderlecht",
        "mayor_other",
        "police_member",
        "association_member",
        "cores_member",
    ],
)
def test_everyone_who_sees_hotspots_reads_the_page(client, request, listed, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL, {"on": "2025-02-01"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.hotspot.code, r.phase) for r in rows] == [("HS10", "intensive"), ("HS12", "hold")]
    body = response.content.decode()
    assert 'data-list-count="2"' in body
    assert ("Record a change of the list" in body) == who.startswith("csir")


def test_the_anonymous_are_sent_to_log_in(client, listed):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("who", ["mayor_anderlecht", "cores_member", "police_member"])
def test_only_the_csir_records_a_change(client, request, listed, who):
    client.force_login(request.getfixturevalue(who))
    hotspot_midi, _ = listed
    response = client.post(
        RECORD,
        {
            "hotspot": hotspot_midi.pk,
            "change": "hold",
            "source_kind": "mayors_approval",
            "in_force_on": "2025-03-01",
        },
    )
    assert response.status_code == 403
    assert HotspotListChange.objects.count() == 3


def test_the_csir_records_a_change_from_the_page(client, csir_analyst, listed, decision):
    hotspot_midi, _ = listed
    client.force_login(csir_analyst)
    form = {
        "hotspot": hotspot_midi.pk,
        "change": "hold",
        "source_kind": "cores_decision",
        "in_force_on": "2025-03-01",
        "language": "fr",
        "note": "Maintien",
    }
    refused = client.post(RECORD, form)  # no decision named
    assert refused.status_code == 200
    assert "Name the CoReS decision" in refused.content.decode()
    assert hotspot_midi.list_changes.count() == 1
    response = client.post(RECORD, {**form, "cores_decision": decision.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("?on=2025-03-01")
    assert hotspot_midi.list_changes.latest("in_force_on").change == "hold"


def test_exit_criteria_page_and_review(client, csir_analyst, mayor_anderlecht, listed, meeting):
    _, molenbeek = listed
    page = reverse("hotspots:exit_criteria", args=[molenbeek.pk])
    client.force_login(mayor_anderlecht)
    assert client.post(page, {"text": "Critère", "language": "fr"}).status_code == 403
    client.force_login(csir_analyst)
    assert client.post(page, {"text": "Critère", "language": "fr"}).status_code == 302
    criterion = molenbeek.exit_criteria.get()
    review = reverse("hotspots:exit_criterion_review", args=[criterion.pk])
    assert client.post(review, {"met": "yes", "meeting": meeting.pk}).status_code == 302
    assert criterion.reviews.get().reviewed_on == meeting.held_on
    client.force_login(mayor_anderlecht)
    assert client.get(page).status_code == 200
    assert client.post(review, {"met": "no"}).status_code == 403
    assert client.get(reverse("hotspots:exit_criteria", args=[2**40])).status_code == 404
    assert client.post(reverse("hotspots:exit_criterion_review", args=[2**40])).status_code == 404
    assert client.get(review).status_code == 405


@pytest.mark.parametrize(
    "value", ["9999-12-31", "0000-01-01", "junk", "2025-02-30", "1" * 40, "2025-01-01\x00"]
)
def test_hostile_dates_get_a_message(client, csir_coordinator, listed, value):
    client.force_login(csir_coordinator)
    response = client.get(URL, {"on": value})
    assert response.status_code == 200
    assert response.context["on"] == timezone.localdate()
    assert "not valid and were ignored" in response.content.decode()


def test_the_htmx_request_gets_the_list_only(client, csir_coordinator, listed):
    client.force_login(csir_coordinator)
    response = client.get(URL, {"on": "2025-02-01"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="as-of"' in body and "<html" not in body
    assert "HX-Request" in response["Vary"]


def _grow(csir_coordinator, decision, count: int, start: int):
    for n in range(start, start + count):
        hotspot = HotspotFactory(code=f"Q{n:03d}")
        add(hotspot, csir_coordinator, decision)
        add(hotspot, csir_coordinator, decision, on=dt.date(2025, 1, 10), change="hold")
        services.exit_criterion_add(hotspot=hotspot, by=csir_coordinator, text=f"Critère {n}")


@pytest.mark.parametrize("who", ["csir_coordinator", "mayor_anderlecht"])
def test_queries_do_not_grow_with_the_list(client, request, csir_coordinator, decision, who):
    client.force_login(request.getfixturevalue(who))
    _grow(csir_coordinator, decision, 3, 0)
    client.get(URL)  # warm the caches (content types, permissions, sessions)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL, {"on": "2025-02-01"})
    assert len(response.context["rows"]) == 3
    _grow(csir_coordinator, decision, 30, 3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"on": "2025-02-01"})
    assert len(response.context["rows"]) == 33
    assert len(large.captured_queries) == len(small.captured_queries)


# --- The report ----------------------------------------------------------------------------


def test_the_snapshot_and_the_pdf_count_hotspots_by_phase(csir_coordinator, listed):
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 3, 31),
        audience="cores",
    )
    assert data["figures"]["hotspots_by_phase"] == {"intensive": 1, "hold": 1, "exited": 0}
    html = render.render_html(data, language="en")
    assert "1 in the intensive phase, 1 in the hold phase, 0 taken off the list" in html
    # A report frozen before the phases existed still renders.
    del data["figures"]["hotspots_by_phase"]
    assert "hotspots-by-phase" not in render.render_html(data, language="en")
