"""The CoReS: meetings, typed decisions, the strategy periods they open, who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from coordination.models import AuditEntry, CoresDecision, CoresMeeting, Strategy, StrategyPeriod
from coordination.regional.cores import demo as cores_demo
from coordination.regional.cores import services as cores_services
from coordination.regional.demo import seed as coordination_demo
from coordination.strategy import selectors, services

pytestmark = pytest.mark.django_db
Kind = CoresDecision.Kind


def today() -> dt.date:
    return selectors.today()


@pytest.fixture
def lapsed_strategy(csir_coordinator) -> Strategy:
    """A strategy whose only period ended ten days ago: no period is in force today."""
    adopted_on = services.add_months(today(), -6) - dt.timedelta(days=10)
    return services.strategy_adopt(
        title_fr="Stratégie", title_nl="Strategie", adopted_on=adopted_on, by=csir_coordinator
    )


@pytest.fixture
def meeting(csir_analyst) -> CoresMeeting:
    return cores_services.cores_meeting_create(
        by=csir_analyst,
        held_on=today() - dt.timedelta(days=5),
        attendees="Ministre-Président\nProcureur du Roi",
        agenda="Prolongation de la stratégie",
    )


# --- The strategy periods -----------------------------------------------------------------


def test_warning_from_sixty_days_before_the_end(client, csir_coordinator, cores_member):
    # The period ends in 45 days: the CoReS must decide.
    starts = today() + dt.timedelta(days=45) - dt.timedelta(days=182)
    services.strategy_adopt(title_fr="S", title_nl="S", adopted_on=starts, by=csir_coordinator)
    period = StrategyPeriod.objects.get()
    period.ends_on = today() + dt.timedelta(days=45)
    period.save(update_fields=["ends_on"])
    summary = selectors.strategy_summary()
    assert summary["decision_due"] and summary["days_left"] == 45
    client.force_login(cores_member)
    page = client.get(reverse("cores:list")).content.decode()
    assert "The period ends within 60 days" in page

    period.ends_on = today() + dt.timedelta(days=61)
    period.save(update_fields=["ends_on"])
    assert not selectors.strategy_summary()["decision_due"]
    assert (
        "The period ends within 60 days" not in client.get(reverse("cores:list")).content.decode()
    )


def test_an_extension_decision_changes_the_current_period(lapsed_strategy, meeting, csir_analyst):
    assert selectors.current_period() is None
    decision = cores_services.cores_decision_record(
        meeting=meeting, by=csir_analyst, kind=Kind.EXTEND, text="Prolongation de six mois."
    )
    current = selectors.current_period()
    assert current is not None and current == decision.period
    assert current.number == 2 and current.decided_on == meeting.held_on
    first = lapsed_strategy.periods.get(number=1)
    assert current.starts_on == first.ends_on + dt.timedelta(days=1)
    entry = AuditEntry.objects.get(action="cores.decision")
    assert entry.actor == csir_analyst and entry.changes["period"] == 2


def test_an_adoption_adopts_a_strategy_on_the_meeting_date(meeting, csir_coordinator):
    decision = cores_services.cores_decision_record(
        meeting=meeting,
        by=csir_coordinator,
        kind=Kind.ADOPT,
        text="Adoption.",
        title_fr="Nouvelle stratégie",
        title_nl="Nieuwe strategie",
    )
    strategy = Strategy.objects.get()
    assert strategy.adopted_on == meeting.held_on and decision.period.number == 1
    assert selectors.current_period() == decision.period
    with pytest.raises(ValidationError):
        cores_services.cores_decision_record(
            meeting=meeting, by=csir_coordinator, kind=Kind.ADOPT, text="Sans titre"
        )


def test_other_decisions_open_no_period(lapsed_strategy, meeting, csir_analyst):
    for kind in (Kind.ADAPT, Kind.VALIDATE_HOTSPOTS, Kind.NEW_MEASURE):
        decision = cores_services.cores_decision_record(
            meeting=meeting, by=csir_analyst, kind=kind, text="Texte"
        )
        assert decision.period is None
    assert StrategyPeriod.objects.count() == 1


def test_decision_rules(lapsed_strategy, meeting, csir_analyst, cores_member):
    with pytest.raises(ValidationError):
        cores_services.cores_decision_record(
            meeting=meeting, by=csir_analyst, kind=Kind.ADAPT, text="  "
        )
    cores_services.cores_decision_record(
        meeting=meeting, by=csir_analyst, kind=Kind.EXTEND, text="Prolongation"
    )
    with pytest.raises(ValidationError):  # one extension per meeting
        cores_services.cores_decision_record(
            meeting=meeting, by=csir_analyst, kind=Kind.EXTEND, text="Encore"
        )
    future = cores_services.cores_meeting_create(
        by=csir_analyst, held_on=today() + dt.timedelta(days=3)
    )
    with pytest.raises(ValidationError):  # decided only once held
        cores_services.cores_decision_record(
            meeting=future, by=csir_analyst, kind=Kind.ADAPT, text="Trop tôt"
        )
    with pytest.raises(PermissionDenied):
        cores_services.cores_decision_record(
            meeting=meeting, by=cores_member, kind=Kind.ADAPT, text="Pas la CSIR"
        )
    with pytest.raises(ValidationError):  # an extraordinary meeting says why
        cores_services.cores_meeting_create(
            by=csir_analyst, held_on=today(), kind=CoresMeeting.Kind.EXTRAORDINARY
        )
    assert StrategyPeriod.objects.count() == 2


def test_a_meeting_that_opened_a_period_keeps_its_date(lapsed_strategy, meeting, csir_analyst):
    cores_services.cores_decision_record(
        meeting=meeting, by=csir_analyst, kind=Kind.EXTEND, text="Prolongation"
    )
    with pytest.raises(ValidationError):
        cores_services.cores_meeting_update(
            meeting=meeting, by=csir_analyst, held_on=today(), kind=meeting.kind
        )
    cores_services.cores_meeting_update(
        meeting=meeting, by=csir_analyst, held_on=meeting.held_on, kind=meeting.kind, agenda="X"
    )
    entry = AuditEntry.objects.get(action="cores.meeting_update")
    assert entry.changes["agenda"] == ["Prolongation de la stratégie", "X"]


def test_decisions_have_no_edit_or_delete_url():
    for name in ("decision_edit", "decision_delete", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"cores:{name}", args=[1])


# --- The pages, as each role ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["csir_coordinator", "csir_analyst"])
def test_the_csir_records_a_meeting_and_an_extension(client, request, lapsed_strategy, who):
    client.force_login(request.getfixturevalue(who))
    held_on = today() - dt.timedelta(days=2)
    response = client.post(
        reverse("cores:new"),
        {"held_on": held_on.isoformat(), "kind": "ordinary", "attendees": "A\nB", "agenda": ""},
    )
    meeting = CoresMeeting.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "cores:detail", args=[meeting.pk]
    )
    response = client.post(
        reverse("cores:decision_add", args=[meeting.pk]),
        {"kind": "extend", "text": "Le CoReS prolonge la stratégie."},
    )
    assert response.status_code == 302
    decision = CoresDecision.objects.get()
    assert decision.period.decided_on == held_on and selectors.current_period() == decision.period
    page = client.get(reverse("cores:detail", args=[meeting.pk])).content.decode()
    assert "Extend the strategy" in page and "opened period 2" in page


def test_an_invalid_decision_shows_the_form_again(client, csir_analyst, meeting):
    client.force_login(csir_analyst)
    response = client.post(reverse("cores:decision_add", args=[meeting.pk]), {"kind": "extend"})
    assert response.status_code == 200 and response.context["decision_form"].errors
    response = client.post(
        reverse("cores:decision_add", args=[meeting.pk]), {"kind": "extend", "text": "x"}
    )
    assert response.status_code == 200  # no strategy to extend
    assert "No strategy has been adopted" in response.content.decode()
    assert not CoresDecision.objects.exists()


@pytest.mark.parametrize("who", ["cores_member", "mayor_anderlecht"])
def test_cores_members_and_mayors_read_only(client, request, meeting, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cores:list")).status_code == 200
    page = client.get(reverse("cores:detail", args=[meeting.pk]))
    assert page.status_code == 200 and "decision_form" not in page.context
    assert client.get(reverse("cores:new")).status_code == 403
    assert client.post(reverse("cores:new"), {"held_on": "2026-01-01"}).status_code == 403
    assert client.get(reverse("cores:edit", args=[meeting.pk])).status_code == 403
    url = reverse("cores:decision_add", args=[meeting.pk])
    assert client.post(url, {"kind": "adapt", "text": "x"}).status_code == 403
    assert not CoresDecision.objects.exists() and CoresMeeting.objects.count() == 1


@pytest.mark.parametrize("who", ["police_member", "association_member"])
def test_others_are_refused(client, request, meeting, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cores:list")).status_code == 403
    assert client.get(reverse("cores:new")).status_code == 403
    # A meeting they may not read answers like one that does not exist.
    assert client.get(reverse("cores:detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("cores:edit", args=[meeting.pk])).status_code == 404
    url = reverse("cores:decision_add", args=[meeting.pk])
    assert client.post(url, {"kind": "adapt", "text": "x"}).status_code == 404
    assert not CoresDecision.objects.exists()


def test_anonymous_is_sent_to_the_login(client, meeting):
    for url in (reverse("cores:list"), reverse("cores:detail", args=[meeting.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_ids_and_wrong_methods(client, csir_coordinator, meeting):
    client.force_login(csir_coordinator)
    for name in ("detail", "edit", "decision_add"):
        assert client.post(reverse(f"cores:{name}", args=[99999])).status_code in (404, 405)
    assert client.get(reverse("cores:detail", args=[99999])).status_code == 404
    assert client.get(reverse("cores:decision_add", args=[meeting.pk])).status_code == 405
    assert client.post(reverse("cores:list")).status_code == 405
    assert client.post(reverse("cores:detail", args=[meeting.pk])).status_code == 405


def test_user_text_is_escaped(client, csir_analyst, meeting):
    cores_services.cores_decision_record(
        meeting=meeting, by=csir_analyst, kind=Kind.NEW_MEASURE, text="<script>alert(1)</script>"
    )
    meeting.agenda = "<img src=x onerror=alert(2)>"
    meeting.save(update_fields=["agenda"])
    client.force_login(csir_analyst)
    page = client.get(reverse("cores:detail", args=[meeting.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


def test_the_list_has_a_fixed_query_count(client, cores_member, csir_analyst):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cores:list")).status_code == 200
        return len(queries)

    client.force_login(cores_member)
    cores_services.cores_meeting_create(by=csir_analyst, held_on=today())
    few = count()
    for days in range(1, 8):
        meeting = cores_services.cores_meeting_create(
            by=csir_analyst, held_on=today() - dt.timedelta(days=days)
        )
        cores_services.cores_decision_record(
            meeting=meeting, by=csir_analyst, kind=Kind.ADAPT, text="x"
        )
    assert count() == few


def test_the_strategy_page_links_the_decision_of_each_period(
    client, lapsed_strategy, meeting, csir_analyst, mayor_anderlecht
):
    cores_services.cores_decision_record(
        meeting=meeting, by=csir_analyst, kind=Kind.EXTEND, text="Prolongation"
    )
    client.force_login(mayor_anderlecht)
    page = client.get(reverse("strategy:page")).content.decode()
    assert reverse("cores:detail", args=[meeting.pk]) in page


def test_navigation_shows_cores_to_readers_only(client, cores_member, police_member):
    client.force_login(cores_member)
    assert 'href="/cores/"' in client.get(reverse("home:index")).content.decode()
    client.force_login(police_member)
    assert 'href="/cores/"' not in client.get(reverse("home:index")).content.decode()


# --- The demo -------------------------------------------------------------------------------


def test_demo_meetings_link_the_existing_periods():
    agencies = coordination_demo.seed_agencies()
    people = coordination_demo.seed_people(agencies)
    strategy = coordination_demo.seed_strategy(by=people["csir.coordinator"])
    periods = StrategyPeriod.objects.count()
    cores_demo.seed(people=people, taskforces=[])
    cores_demo.seed(people=people, taskforces=[])  # idempotent
    assert StrategyPeriod.objects.count() == periods
    for period in strategy.periods.all():
        decision = CoresDecision.objects.get(period=period)
        assert decision.meeting.held_on == period.decided_on
        assert decision.kind == (Kind.ADOPT if period.number == 1 else Kind.EXTEND)
    assert CoresMeeting.objects.filter(kind="extraordinary").count() == 1
    assert CoresDecision.objects.filter(
        kind=Kind.VALIDATE_HOTSPOTS, meeting__held_on=dt.date(2024, 3, 29)
    ).exists()
    years = set(CoresMeeting.objects.values_list("held_on__year", flat=True))
    assert {2024, 2025, 2026} <= years
    assert CoresMeeting.objects.count() == len(set(CoresMeeting.objects.values_list("held_on")))
