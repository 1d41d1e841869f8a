"""The regional overview: who may open it, its figures, its filters and its query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.core import geo
from coordination.models import Axis, Strategy, StrategyPeriod
from coordination.regional.overview.selectors import (
    OVERVIEW_PAGE,
    OverviewFilters,
    regional_overview,
)
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue, MayorDecision, PoliceOrder
from hotspots.selectors.hotspots import forget_drawn_maps
from hotspots.selectors.indicators import add_months, last_complete_month
from taskforces.models import (
    Action,
    ActionPlan,
    Escalation,
    Meeting,
    PlanVersion,
    TaskForce,
)
from tests.factories import HotspotFactory, UserFactory, commune
from tests.factories_taskforces import (
    ActionFactory,
    ActionPlanFactory,
    EscalationFactory,
    MeetingFactory,
    TaskForceFactory,
)

pytestmark = pytest.mark.django_db

URL = "/overview/"
Status = Action.Status
PJ = Action.Confidentiality.POLICE_JUDICIAL
MIDI_CIRCLE = geo.circle_area(4.3352, 50.8352, 250)


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def row_of(user, code: str, **filters):
    overview = regional_overview(user, OverviewFilters(**filters))
    return next(row for row in overview.rows if row.hotspot.code == code)


def order(*, hotspot=None, valid_from, valid_until, by) -> PoliceOrder:
    return PoliceOrder.objects.create(
        scope="local" if hotspot else "regional",
        hotspot=hotspot,
        title_fr="Arrêté",
        title_nl="Besluit",
        measures=["alcohol_ban"],
        legal_reference="NLC art. 134ter",
        signatory="Le bourgmestre",
        signed_on=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=by,
    )


@pytest.fixture
def plan_midi(hotspot_midi) -> ActionPlan:
    return ActionPlanFactory(taskforce=TaskForceFactory(hotspot=hotspot_midi))


# --- Who may open it ------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["csir_coordinator", "csir_analyst", "cores_member", "mayor_anderlecht", "mayor_other"]
)
def test_readers_open_the_overview_and_see_it_in_the_menu(client, request, who, hotspot_midi):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("overview:page"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/overview/" aria-current="page"' in page
    assert "Gare du Midi" in page


@pytest.mark.parametrize("who", ["police_member", "association_member", "administrator"])
def test_other_roles_get_404_and_no_menu_entry(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert 'href="/overview/"' not in client.get(reverse("home:index")).content.decode()


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_get(client, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.post(URL).status_code == 405


def test_the_menu_entry_follows_my_work(client, csir_coordinator):
    client.force_login(csir_coordinator)
    page = client.get(reverse("home:index")).content.decode()
    assert page.index('href="/"') < page.index('href="/overview/"') < page.index('"/hotspots/"')


# --- The police-judicial rule ---------------------------------------------------------


def test_police_judicial_actions_count_for_the_coordinator_only(
    client, plan_midi, csir_coordinator, csir_analyst, cores_member, mayor_anderlecht
):
    ActionFactory(plan=plan_midi, due_on=days(-5), progress=20)
    secret = ActionFactory(
        plan=plan_midi, due_on=days(-3), progress=80, confidentiality=PJ, status=Status.BLOCKED
    )
    EscalationFactory(action=secret)

    coordinator = row_of(csir_coordinator, "HS10")
    assert (coordinator.late, coordinator.escalated) == (2, 1)
    assert coordinator.progress[0].count == 2 and coordinator.progress[0].average == 50

    for reader in (csir_analyst, cores_member, mayor_anderlecht):
        row = row_of(reader, "HS10")
        assert (row.late, row.escalated) == (1, 0), reader
        assert row.progress[0].count == 1 and row.progress[0].average == 20

    client.force_login(cores_member)
    page = client.get(URL).content.decode()
    assert "1 late action" in page and "0 escalated actions" in page
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "2 late actions" in page and "1 escalated action" in page


def test_the_police_judicial_circle_of_a_task_force_counts_its_own(plan_midi, mayor_anderlecht):
    """A member whose agency is police or prosecutor counts the confidential actions."""
    from coordination.models import Agency
    from tests.factories import AgencyFactory
    from tests.factories_taskforces import member

    ActionFactory(plan=plan_midi, due_on=days(-3), confidentiality=PJ)
    parquet = AgencyFactory(name_fr="Parquet", kind=Agency.Kind.PROSECUTOR)
    # A CoReS member from the prosecutor's office who sits in the Midi task force.
    from coordination.models import User

    prosecutor = UserFactory(username="procureur", agency=parquet, role=User.Role.CORES_MEMBER)
    member(plan_midi.taskforce, prosecutor)
    assert row_of(prosecutor, "HS10").late == 1
    assert row_of(mayor_anderlecht, "HS10").late == 0


# --- Figures on small data ------------------------------------------------------------


def test_figures_of_one_hotspot(
    plan_midi, hotspot_midi, csir_coordinator, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    now = timezone.now()
    for mayor, town in ((mayor_anderlecht, "21001"), (mayor_saint_gilles, "21013")):
        MayorDecision.objects.create(
            hotspot=hotspot_midi,
            commune=commune(town),
            decision=MayorDecision.Decision.APPROVE,
            decided_by=mayor,
            decided_at=now,
        )
    PlanVersion.objects.create(plan=plan_midi, number=2, state=PlanVersion.State.VALIDATED)
    # Security: 20 and 60 count (40 %), the cancelled 100 does not; one late, one escalated.
    ActionFactory(plan=plan_midi, axis=Axis.SECURITY, progress=20, due_on=days(-1))
    blocked = ActionFactory(plan=plan_midi, axis=Axis.SECURITY, progress=60, status=Status.BLOCKED)
    EscalationFactory(action=blocked)
    resolved = EscalationFactory(action=ActionFactory(plan=plan_midi, axis=Axis.SECURITY))
    Escalation.objects.filter(pk=resolved.pk).update(resolved_at=now, resolution="OK")
    ActionFactory(
        plan=plan_midi, axis=Axis.SECURITY, progress=100, status=Status.CANCELLED, due_on=days(-9)
    )
    # Prevention: a done action past its due date is not late.
    ActionFactory(
        plan=plan_midi, axis=Axis.PREVENTION, progress=100, status=Status.DONE, due_on=days(-9)
    )
    # Meetings: the last past one counts, the next one does not.
    MeetingFactory(taskforce=plan_midi.taskforce, starts_at=now - dt.timedelta(days=45))
    MeetingFactory(taskforce=plan_midi.taskforce, starts_at=now - dt.timedelta(days=40))
    MeetingFactory(taskforce=plan_midi.taskforce, starts_at=now + dt.timedelta(days=3))
    # Orders: a regional one and two local in force (one expiring), one expired, one to come.
    order(valid_from=days(-30), valid_until=days(60), by=csir_analyst)
    order(hotspot=hotspot_midi, valid_from=days(-30), valid_until=days(10), by=csir_analyst)
    order(hotspot=hotspot_midi, valid_from=days(-30), valid_until=days(14), by=csir_analyst)
    order(hotspot=hotspot_midi, valid_from=days(-30), valid_until=days(-1), by=csir_analyst)
    order(hotspot=hotspot_midi, valid_from=days(5), valid_until=days(90), by=csir_analyst)

    row = row_of(csir_coordinator, "HS10")
    assert (row.approved, row.rejected, len(row.decisions)) == (2, 0, 2)
    assert (row.plan_number, row.plan_state) == (2, "validated")
    assert row.plan_url == reverse("taskforces:plan", args=[plan_midi.taskforce.pk])
    security, prevention, neighbourhood = row.progress
    assert (security.count, security.average, security.late, security.escalated) == (3, 27, 1, 1)
    assert (prevention.count, prevention.average, prevention.late) == (1, 100, 0)
    assert (neighbourhood.count, neighbourhood.average) == (0, 0)
    assert (row.late, row.escalated) == (1, 1)
    assert row.days_since_meeting == 40 and row.meeting_overdue
    assert (row.orders_local, row.orders_regional, row.orders_expiring) == (2, 1, 2)
    assert [z.number for z in row.zones] == [commune("21001").police_zone.number]

    # A mayor is not a member of the task force: no link to its plan page.
    assert row_of(mayor_anderlecht, "HS10").plan_url == ""


def test_the_page_shows_the_figures(client, plan_midi, csir_coordinator):
    PlanVersion.objects.filter(plan=plan_midi).update(state=PlanVersion.State.SUBMITTED)
    ActionFactory(plan=plan_midi, axis=Axis.PREVENTION, progress=40)
    MeetingFactory(taskforce=plan_midi.taskforce, starts_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert 'value="40" aria-label="Average progress, Prevention axis"' in page
    assert page.count("<progress ") == 1  # the two axes without action show a dash
    assert "Security: no action" in page
    assert "Submitted to the CSIR" in page
    assert "3 days ago" in page
    assert 'class="ov-warn"' not in page


def test_a_task_force_without_meeting_is_flagged(plan_midi, csir_coordinator):
    MeetingFactory(taskforce=plan_midi.taskforce, starts_at=timezone.now() - dt.timedelta(days=29))
    assert not row_of(csir_coordinator, "HS10").meeting_overdue
    Meeting.objects.all().delete()
    row = row_of(csir_coordinator, "HS10")
    assert row.last_meeting is None and row.meeting_overdue


def test_a_hotspot_without_task_force_is_not_flagged(csir_coordinator, csir_analyst):
    HotspotFactory(code="HS50", status=Hotspot.Status.PROPOSED, proposed_by=csir_analyst)
    row = row_of(csir_coordinator, "HS50")
    assert not row.has_taskforce and not row.meeting_overdue and row.plan_number is None


def test_the_active_range_and_the_decision_warning(client, csir_coordinator, csir_analyst):
    strategy = Strategy.objects.create(
        title_fr="Stratégie", title_nl="Strategie", adopted_on=days(-400)
    )
    StrategyPeriod.objects.create(
        strategy=strategy, number=1, starts_on=days(-150), ends_on=days(30), decided_on=days(-160)
    )
    for number in range(3):
        HotspotFactory(code=f"A{number}", proposed_by=csir_analyst)
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "3 hotspots are active: the strategy foresees between 10 and 15." in page
    assert "30 days left." in page
    assert "The period ends within 60 days" in page


def test_user_text_is_escaped(client, csir_coordinator, csir_analyst):
    HotspotFactory(code="X1", name_fr="<script>alert(1)</script>", proposed_by=csir_analyst)
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


# --- Indicator trends -----------------------------------------------------------------


def test_indicator_trends_read_with_lower_is_better(hotspot_midi, csir_coordinator, csir_analyst):
    end = last_complete_month()
    months = [add_months(end, offset) for offset in range(-5, 1)]
    series = {
        # lower is better, falling: improving
        "shootings": [10, 10, 10, 5, 5, 5],
        # higher is better, rising: improving
        "drug_arrests": [4, 4, 4, 8, 8, 9],
        # lower is better, rising: worsening
        "resident_complaints": [2, 2, 2, 6, 6, 6],
        # higher is better, within 10 %: stable
        "outreach_contacts": [100, 100, 100, 105, 95, 100],
    }
    indicators = {i.code: i for i in IndicatorDefinition.objects.filter(code__in=series)}
    # A value older than the six months is ignored.
    IndicatorValue.objects.create(
        hotspot=hotspot_midi,
        indicator=indicators["resident_complaints"],
        month=add_months(end, -6),
        value=Decimal(1000),
        entered_by=csir_analyst,
    )
    for code, values in series.items():
        for month, value in zip(months, values, strict=True):
            IndicatorValue.objects.create(
                hotspot=hotspot_midi,
                indicator=indicators[code],
                month=month,
                value=Decimal(value),
                entered_by=csir_analyst,
            )
    row = row_of(csir_coordinator, "HS10")
    found = {t.indicator.code: (t.direction, t.improving) for t in row.trends}
    assert found == {
        "shootings": ("down", True),
        "drug_arrests": ("up", True),
        "resident_complaints": ("up", False),
        "outreach_contacts": ("flat", None),
    }
    assert (len(row.improving), len(row.worsening), len(row.stable)) == (2, 1, 1)
    # The axis filter keeps the indicators of that axis.
    security = row_of(csir_coordinator, "HS10", axis=Axis.SECURITY)
    assert {t.indicator.code for t in security.trends} == {"shootings", "drug_arrests"}


def test_the_trend_summary_has_a_text_alternative(client, hotspot_midi, csir_coordinator):
    indicator = IndicatorDefinition.objects.get(code="shootings")
    end = last_complete_month()
    for offset, value in zip(range(-5, 1), [9, 9, 9, 3, 3, 3], strict=True):
        IndicatorValue.objects.create(
            hotspot=hotspot_midi,
            indicator=indicator,
            month=add_months(end, offset),
            value=value,
            entered_by=csir_coordinator,
        )
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "1 improving, 0 worsening" in page
    assert '<dt class="trend-good">Improving</dt>' in page
    assert 'Fusillades <span class="small">(falling)</span>' in page


# --- Filters --------------------------------------------------------------------------


@pytest.fixture
def three_hotspots(hotspot_midi, hotspot_molenbeek, csir_analyst):
    HotspotFactory(
        code="HS20", communes=["21016"], status=Hotspot.Status.CLOSED, proposed_by=csir_analyst
    )


def _codes(client, **params) -> list[str]:
    response = client.get(URL, params)
    return [row.hotspot.code for row in response.context["overview"].rows]


def test_filters(client, three_hotspots, csir_coordinator):
    client.force_login(csir_coordinator)
    midi_zone = commune("21001").police_zone.number
    assert _codes(client) == ["HS10", "HS12", "HS20"]
    assert _codes(client, zone=midi_zone) == ["HS10"]
    assert _codes(client, commune="21012") == ["HS12"]
    assert _codes(client, commune="21013") == ["HS10"]
    assert _codes(client, status="closed") == ["HS20"]
    assert _codes(client, status="active", zone=midi_zone) == ["HS10"]
    # Unknown values are ignored rather than refused.
    assert _codes(client, status="nonsense", zone="abc", axis="x") == ["HS10", "HS12", "HS20"]
    page = client.get(URL, {"zone": midi_zone}).content.decode()
    assert f'<option value="{midi_zone}" selected>' in page
    assert page.count('class="map-area ') == 1 and "Étangs Noirs" not in page


def test_the_axis_filter_limits_the_counts(plan_midi, csir_coordinator):
    ActionFactory(plan=plan_midi, axis=Axis.SECURITY, due_on=days(-1))
    ActionFactory(plan=plan_midi, axis=Axis.PREVENTION, due_on=days(-1), progress=30)
    ActionFactory(plan=plan_midi, axis=Axis.PREVENTION, due_on=days(-1), progress=50)
    assert row_of(csir_coordinator, "HS10").late == 3
    row = row_of(csir_coordinator, "HS10", axis=Axis.PREVENTION)
    assert row.late == 2
    assert [(f.axis, f.average) for f in row.progress] == [("prevention", 40)]


def test_htmx_swaps_the_results_only(client, three_hotspots, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.get(URL, {"commune": "21012"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="overview-results"')
    assert "<html" not in body and "Étangs Noirs" in body and "Gare du Midi" not in body
    assert "HX-Request" in response["Vary"]
    restore = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_htmx_partial_is_refused_like_the_page(client, police_member):
    client.force_login(police_member)
    assert client.get(URL, headers={"HX-Request": "true"}).status_code == 404


# --- Query count ----------------------------------------------------------------------


def _region(count: int, start: int, proposer) -> None:
    """``count`` active hotspots, each with a task force, plan, actions, meetings, orders
    and indicator values, built with bulk_create to keep the test fast."""
    now = timezone.now()
    anderlecht, molenbeek = commune("21001"), commune("21012")
    hotspots = Hotspot.objects.bulk_create(
        Hotspot(
            code=f"Q{start + n:04d}",
            name_fr=f"Lieu {start + n}",
            name_nl=f"Plaats {start + n}",
            status=Hotspot.Status.ACTIVE,
            proposed_by=proposer,
            perimeter=MIDI_CIRCLE,
        )
        for n in range(count)
    )
    if not hotspots[0].pk:  # SQLite before 3.35 does not return the keys
        hotspots = list(Hotspot.objects.filter(code__startswith="Q").order_by("-pk")[:count])
    links = Hotspot.communes.through
    links.objects.bulk_create(
        links(hotspot_id=h.pk, commune_id=c.pk) for h in hotspots for c in (anderlecht, molenbeek)
    )
    MayorDecision.objects.bulk_create(
        MayorDecision(
            hotspot=h,
            commune=anderlecht,
            decision=MayorDecision.Decision.APPROVE,
            decided_by=proposer,
            decided_at=now,
        )
        for h in hotspots
    )
    taskforces = TaskForce.objects.bulk_create(TaskForce(hotspot=h) for h in hotspots)
    plans = ActionPlan.objects.bulk_create(ActionPlan(taskforce=t) for t in taskforces)
    PlanVersion.objects.bulk_create(
        PlanVersion(plan=p, number=number, state=state)
        for p in plans
        for number, state in ((1, "validated"), (2, "draft"))
    )
    actions = Action.objects.bulk_create(
        Action(
            plan=p,
            axis=axis,
            title=f"Action {axis}",
            due_on=days(-5 if late else 30),
            status=Status.BLOCKED if late else Status.IN_PROGRESS,
            progress=progress,
            confidentiality=PJ if axis == Axis.SECURITY and late else "taskforce",
        )
        for p in plans
        for axis in Axis.values
        for late, progress in ((True, 10), (False, 70))
    )
    Escalation.objects.bulk_create(
        Escalation(action=a, reason="Bloqué", raised_by=proposer)
        for a in actions
        if a.status == Status.BLOCKED
    )
    Meeting.objects.bulk_create(
        Meeting(
            taskforce=t, starts_at=now - dt.timedelta(days=d), place="Salle", created_by=proposer
        )
        for t in taskforces
        for d in (50, 20, -7)
    )
    PoliceOrder.objects.bulk_create(
        PoliceOrder(
            scope="local",
            hotspot=h,
            title_fr="Arrêté",
            title_nl="Besluit",
            legal_reference="NLC",
            signatory="Bourgmestre",
            signed_on=days(-10),
            valid_from=days(-10),
            valid_until=days(until),
            created_by=proposer,
        )
        for h in hotspots
        for until in (7, 90)
    )
    end = last_complete_month()
    indicators = list(IndicatorDefinition.objects.all())
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            hotspot=h,
            indicator=i,
            month=add_months(end, offset),
            value=Decimal(10 + offset * (1 if i.lower_is_better else -1)),
            entered_by=proposer,
        )
        for h in hotspots
        for i in indicators
        for offset in range(-5, 1)
    )


@pytest.mark.parametrize("who", ["csir_coordinator", "mayor_anderlecht", "cores_member"])
def test_queries_do_not_grow_with_the_data(client, request, csir_analyst, who):
    client.force_login(request.getfixturevalue(who))
    order(valid_from=days(-1), valid_until=days(3), by=csir_analyst)
    _region(15, 0, csir_analyst)
    client.get(URL)  # warm up the process's caches (content types, permissions)
    forget_drawn_maps()  # each measured page draws its map (its perimeters: one query)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL)
    assert len(response.context["overview"].rows) == 15
    _region(135, 15, csir_analyst)
    forget_drawn_maps()
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    overview = response.context["overview"]
    # A page of rows, the caption and the map over all 150 (issue 16).
    assert len(overview.rows) == OVERVIEW_PAGE
    assert overview.total == 150 and len(overview.hotspots) == 150
    row = overview.rows[0]
    assert (row.orders_in_force, row.orders_expiring) == (3, 2)
    assert row.escalated == (3 if who == "csir_coordinator" else 2)
    assert len(large.captured_queries) == len(small.captured_queries)
    with CaptureQueriesContext(connection) as partial:
        client.get(URL, headers={"HX-Request": "true"})
    assert len(partial.captured_queries) < len(large.captured_queries)
    print(f"\n{who}: {len(large.captured_queries)} queries (htmx {len(partial.captured_queries)})")
    # Every row, a page at a time: the same queries, the caption's totals unchanged.
    forget_drawn_maps()
    with CaptureQueriesContext(connection) as every:
        response = client.get(URL, {"pages": "8"})
    assert len(response.context["overview"].rows) == 150
    assert len(every.captured_queries) == len(large.captured_queries)
    assert response.context["overview"].late == overview.late


def test_the_overview_shows_a_page_with_a_more_link_that_works_without_javascript(
    client, csir_analyst
):
    _region(2 * OVERVIEW_PAGE + 5, 0, csir_analyst)
    client.force_login(csir_analyst)
    response = client.get(URL, {"status": "active"})
    overview = response.context["overview"]
    assert len(overview.rows) == OVERVIEW_PAGE and overview.more
    html = response.content.decode()
    assert f"{2 * OVERVIEW_PAGE + 5} hotspots" in html  # the caption counts them all
    assert 'href="?status=active&amp;pages=2#overview-more"' in html
    second = client.get(URL, {"status": "active", "pages": "2"})
    assert len(second.context["overview"].rows) == 2 * OVERVIEW_PAGE
    last = client.get(URL, {"status": "active", "pages": "3"})
    assert len(last.context["overview"].rows) == 2 * OVERVIEW_PAGE + 5
    assert "pages=4" not in last.content.decode()
    partial = client.get(URL, {"pages": "2"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'id="overview-results"' in partial.content.decode()


@pytest.mark.parametrize("pages", ["abc", "0", "-1", "²", "9999", "1" * 50])
def test_the_overview_pages_parameter_never_fails(client, csir_analyst, pages):
    client.force_login(csir_analyst)
    assert client.get(URL, {"pages": pages}).status_code == 200
