"""'My work': each role's home page gives its weekly tasks, each linking to where it is done.

Panel contents equal what the rows say; badges count what their label says; the query
count stays fixed as the data grows; police-judicial actions stay inside their circle.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hotspots.models import PoliceOrder
from reporting.models import Report
from taskforces.models import Action, Meeting, PlanVersion
from tests.factories import HotspotFactory
from tests.factories_taskforces import ActionFactory, Cast, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    """The Midi task force (as in tests/taskforces): the mayor of Anderlecht chairs it."""
    cast = Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
    cast.hotspot, cast.analyst = hotspot_midi, csir_analyst
    return cast


def home(client, user):
    client.force_login(user)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("home:index"))
    assert response.status_code == 200
    return response


def panel(response, template):
    (found,) = [p.context for p in response.context["panels"] if p.template == template]
    return found


def due(action, days):
    Action.objects.filter(pk=action.pk).update(due_on=TODAY() + dt.timedelta(days=days))


def return_plan(cast, comment="Précisez le calendrier des maraudes."):
    version = cast.plan.versions.get()
    version.state = PlanVersion.State.RETURNED
    version.reviewed_at = timezone.now()
    version.reviewed_by = cast.analyst
    version.review_comment = comment
    version.save()
    return version


def local_order(hotspot, by, days_left, **extra):
    return PoliceOrder.objects.create(
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=hotspot,
        title_fr="Interdiction de lieu au Peterbos",
        title_nl="Plaatsverbod Peterbos",
        measures=["place_ban"],
        legal_reference="Art. 134ter NLC",
        signatory="Le bourgmestre",
        signed_on=TODAY() - dt.timedelta(days=60),
        valid_from=TODAY() - dt.timedelta(days=50),
        valid_until=TODAY() + dt.timedelta(days=days_left),
        created_by=by,
        **extra,
    )


# --- Task-force coordinator ------------------------------------------------------------


def test_the_coordinator_sees_the_returned_plan_with_its_comments(client, cast):
    version = return_plan(cast)
    response = home(client, cast.coordinator)
    returned = panel(response, "taskforces/panels/returned.html")
    assert returned["plans"] == [version] and returned["annexes"] == []
    page = response.content.decode()
    assert "Précisez le calendrier des maraudes." in page
    assert reverse("taskforces:plan", args=[cast.taskforce.pk]) + "#h-version" in page
    # A member who does not edit the plan is not asked to rework it.
    assert "taskforces/panels/returned.html" not in [
        p.template for p in home(client, cast.association).context["panels"]
    ]


def test_the_coordinator_sees_late_and_soon_due_actions_and_meetings_to_prepare(client, cast):
    due(cast.prevention, -3)  # late
    due(cast.neighbourhood, 5)  # due soon
    due(cast.secret, -1)  # late, police-judicial: not for the coordinator (outside the circle)
    soon = MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    MeetingFactory(
        taskforce=cast.taskforce,
        created_by=cast.coordinator,
        starts_at=timezone.now() + dt.timedelta(days=30),
    )
    MeetingFactory(  # cancelled: nothing to prepare
        taskforce=cast.taskforce,
        created_by=cast.coordinator,
        starts_at=timezone.now() + dt.timedelta(days=2),
        cancelled_at=timezone.now(),
    )
    work = panel(home(client, cast.coordinator), "taskforces/panels/coordination.html")
    assert work["late"] == [Action.objects.get(pk=cast.prevention.pk)]
    assert work["soon"] == [Action.objects.get(pk=cast.neighbourhood.pk)]
    assert work["counts"]["late"] == 1 and work["counts"]["soon"] == 1
    assert work["meetings"] == [soon]
    assert work["taskforces"] == [cast.taskforce]


# --- Mayor ------------------------------------------------------------------------------


def test_the_mayor_sees_the_orders_of_the_commune_expiring_within_30_days(
    client, cast, mayor_anderlecht, csir_analyst, hotspot_molenbeek
):
    expiring = local_order(cast.hotspot, csir_analyst, 10)
    local_order(cast.hotspot, csir_analyst, 45)  # not yet
    extended = local_order(cast.hotspot, csir_analyst, 3)
    local_order(cast.hotspot, csir_analyst, 120, extends=extended)  # already followed up
    local_order(hotspot_molenbeek, csir_analyst, 5)  # another commune
    response = home(client, mayor_anderlecht)
    orders = panel(response, "hotspots/panels/orders.html")["orders"]
    assert orders == [expiring]
    assert orders[0].days_left == 10
    assert "in 10 days" in response.content.decode()
    assert reverse("hotspots:order_detail", args=[expiring.pk]) in response.content.decode()


def test_the_mayor_sees_the_task_forces_they_chair(client, cast, mayor_anderlecht):
    other = HotspotFactory(communes=["21001"])
    response = home(client, mayor_anderlecht)
    chaired = panel(response, "taskforces/panels/chair.html")["taskforces"]
    assert chaired == [cast.taskforce]
    assert chaired[0].plan_state == PlanVersion.State.DRAFT
    assert other.code not in [tf.hotspot.code for tf in chaired]


def test_the_decide_button_is_in_the_panel_as_a_list_not_a_table(client, cast, mayor_anderlecht):
    page = home(client, mayor_anderlecht).content.decode()
    start = page.index('aria-labelledby="panel-awaiting"')
    assert "<table" not in page[start : page.index("</section>", start)]


# --- CSIR -------------------------------------------------------------------------------


def test_the_csir_sees_late_and_blocked_actions_counted_per_hotspot(
    client, cast, csir_analyst, csir_coordinator, hotspot_molenbeek
):
    due(cast.prevention, -3)
    due(cast.security, -1)
    Action.objects.filter(pk=cast.neighbourhood.pk).update(status=Action.Status.BLOCKED)
    due(cast.secret, -2)
    other = ActionFactory(due_on=TODAY() - dt.timedelta(days=9))
    analyst = panel(home(client, csir_analyst), "taskforces/panels/csir.html")
    rows = {row.taskforce.hotspot.code: (row.late, row.blocked) for row in analyst["by_hotspot"]}
    # The analyst is outside every circle: the police-judicial late action is not counted.
    assert rows == {cast.hotspot.code: (2, 1), other.plan.taskforce.hotspot.code: (1, 0)}
    assert analyst["late_total"] == 3 and analyst["blocked_total"] == 1
    coordinator = panel(home(client, csir_coordinator), "taskforces/panels/csir.html")
    assert coordinator["by_hotspot"][0].taskforce == cast.taskforce
    assert (coordinator["by_hotspot"][0].late, coordinator["late_total"]) == (3, 4)


def test_the_csir_panel_shows_the_ten_most_late_hotspots_and_links_the_overview(
    client, csir_analyst
):
    for _ in range(12):
        ActionFactory(due_on=TODAY() - dt.timedelta(days=9))
    page = home(client, csir_analyst).content.decode()
    start = page.index('class="tf-late-by-hotspot"')
    table = page[start : page.index("</table>", start)]
    assert table.count('<th scope="row">') == 10
    assert "of 12." in page
    assert f'href="{reverse("overview:page")}"' in page


def test_the_csir_coordinator_sees_the_reports_to_publish(client, csir_coordinator, csir_analyst):
    def report(version, **extra):
        return Report.objects.create(
            kind=Report.Kind.REGIONAL,
            scope="region",
            period_start=dt.date(2026, 9, 1),
            period_end=dt.date(2026, 9, 30),
            language="fr",
            audience=Report.Audience.CORES,
            version=version,
            **extra,
        )

    report(1, status=Report.Status.READY)  # replaced by version 2
    latest = report(2, status=Report.Status.READY)
    report(3, status=Report.Status.FAILED)  # a failed build replaces nothing
    published = report(4, status=Report.Status.READY)
    published.published = True
    published.save()
    response = home(client, csir_coordinator)
    assert panel(response, "reporting/panels/publish.html")["reports"] == []  # v4 is newer
    Report.objects.filter(pk=published.pk).update(version=0)
    response = home(client, csir_coordinator)
    assert panel(response, "reporting/panels/publish.html")["reports"] == [latest]
    assert reverse("reporting:detail", args=[latest.pk]) in response.content.decode()
    # Publishing is the coordinator's: the analyst gets no such panel.
    templates = [p.template for p in home(client, csir_analyst).context["panels"]]
    assert "reporting/panels/publish.html" not in templates


def test_the_csir_home_links_the_indicator_completeness(client, cast, csir_analyst):
    # The panel is the indicators' own (hotspots/panels_indicators.py); the CSIR finds it here.
    page = home(client, csir_analyst).content.decode()
    assert reverse("hotspots:indicator_completeness") in page


# --- Member -----------------------------------------------------------------------------


def test_a_member_sees_the_agency_actions_due_late_and_owned(client, cast):
    due(cast.prevention, -3)  # association leads: late
    soon = ActionFactory(plan=cast.plan, lead_agency=cast.association.agency)
    due(soon, 10)
    owned = ActionFactory(plan=cast.plan, lead_agency=cast.association.agency)
    Action.objects.filter(pk=owned.pk).update(owner=cast.association)
    due(cast.security, 3)  # the police's: not the association's (a partner of it, though)
    work = panel(home(client, cast.association), "taskforces/panels/my_taskforces.html")
    assert work["actions"] == [Action.objects.get(pk=cast.prevention.pk)]
    assert set(work["soon"]) == {Action.objects.get(pk=pk) for pk in (soon.pk, cast.security.pk)}
    assert work["owned"] == [Action.objects.get(pk=owned.pk)]
    assert work["counts"]["late"] == 1


def test_the_my_task_forces_badge_counts_task_forces_not_late_items(client, cast):
    for action in (cast.prevention, cast.security, cast.neighbourhood):
        due(action, -5)
    response = home(client, cast.association)
    page = response.content.decode()
    start = page.index('id="panel-taskforces"')
    heading = page[start : page.index("</h2>", start)]
    assert '<span class="badge" aria-label="1 task force">1</span>' in heading


# --- Police-judicial --------------------------------------------------------------------


def test_police_judicial_actions_only_inside_the_circle(client, cast):
    due(cast.secret, -2)
    Action.objects.filter(pk=cast.secret.pk).update(owner=cast.association)
    for outsider in (cast.association, cast.coordinator, cast.chair):
        assert cast.secret.title not in home(client, outsider).content.decode()
    assert cast.secret.title in home(client, cast.police).content.decode()


# --- Query counts -----------------------------------------------------------------------


def grow(cast, count):
    for n in range(count):
        action = ActionFactory(
            plan=cast.plan,
            lead_agency=cast.police.agency if n % 2 else cast.association.agency,
            partners=[cast.dune],
            due_on=TODAY() + dt.timedelta(days=(-5, 5, 20)[n % 3] + n % 4),
            status=Action.Status.BLOCKED if n % 7 == 0 else Action.Status.IN_PROGRESS,
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL
            if n % 5 == 0
            else Action.Confidentiality.TASKFORCE,
        )
        owner = cast.police if n % 2 else cast.association
        Action.objects.filter(pk=action.pk).update(owner=owner)
        Meeting.objects.create(
            taskforce=cast.taskforce,
            starts_at=timezone.now() + dt.timedelta(days=n % 20 + 1),
            place="Salle",
            created_by=cast.coordinator,
        )


@pytest.mark.parametrize(
    "who", ["coordinator", "association", "police", "chair", "analyst", "csir_coordinator"]
)
def test_the_home_query_count_does_not_grow(
    client, cast, csir_coordinator, who, django_assert_num_queries
):
    person = csir_coordinator if who == "csir_coordinator" else getattr(cast, who)
    return_plan(cast)
    due(cast.prevention, -3)
    local_order(cast.hotspot, cast.analyst, 10)
    grow(cast, 6)  # every list non-empty: a late, a soon due, an owned action
    client.force_login(person)
    client.get(reverse("home:index"))  # warm up the caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home:index"))
    grow(cast, 40)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("home:index")).status_code == 200


# --- Demo notifications ---------------------------------------------------------------------


def test_demo_notifications_are_spread_over_working_days_at_office_hours(cast):
    from coordination.core import workdays
    from coordination.notifications.models import Notification
    from coordination.notifications.services import notify
    from coordination.regional.demo.seed import spread_notifications

    since = timezone.now()
    people = [cast.coordinator, cast.police, cast.association, cast.partner, cast.chair]
    for n in range(8):
        notify(recipients=people, kind="bulletin_published", params={"title": f"N{n}"}, url=f"/{n}")
    held = (TODAY() - dt.timedelta(days=90)).isoformat()
    notify(
        recipients=people,
        kind="meeting_scheduled",
        params={"taskforce": "HS10", "taskforce_nl": "HS10", "date": held},
        url="/taskforces/meetings/1/",
    )
    assert spread_notifications(since=since) == 45
    rows = list(Notification.objects.filter(created_at__lt=since))
    assert len(rows) == 45
    moments = []
    for row in rows:
        local = timezone.localtime(row.created_at)
        assert workdays.is_working_day(local.date()), local
        assert dt.time(8, 30) <= local.time() <= dt.time(17, 30), local
        if row.kind == "meeting_scheduled":
            # Told before the meeting, and long read since.
            assert local.date() < dt.date.fromisoformat(held) and row.read_at is not None
        else:
            assert local.date() >= TODAY() - dt.timedelta(days=40)
        moments.append(row.created_at)
    assert len(set(moments)) > 30
    # Deterministic: the same rows get the same times again; a second run finds nothing new.
    assert spread_notifications(since=timezone.now()) == 0
