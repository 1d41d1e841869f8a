"""Task-force pages as each role: who sees what, the police-judicial rule, query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_perms

from coordination.models import AuditEntry, Axis
from coordination.people.services import agency_group
from taskforces.models import Action, ActionUpdate, Meeting, Membership
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, UserFactory
from tests.factories_taskforces import ActionFactory, MeetingFactory, member

pytestmark = pytest.mark.django_db
Status = Action.Status
PJ = Action.Confidentiality.POLICE_JUDICIAL


@pytest.fixture
def outsider(hotspot_molenbeek, csir_analyst):
    """A member of another task force (Molenbeek)."""
    taskforce = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    person = UserFactory(
        username="molenbeek-worker",
        agency=AgencyFactory(name_fr="Commune de Molenbeek-Saint-Jean", kind="commune"),
    )
    member(taskforce, person, Membership.Role.COORDINATOR)
    return person


def taskforce_urls(cast) -> list[str]:
    pk = cast.taskforce.pk
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    version = plan_selectors.current_version(cast.plan)
    return [
        reverse("taskforces:detail", args=[pk]),
        reverse("taskforces:members", args=[pk]),
        reverse("taskforces:meetings", args=[pk]),
        reverse("taskforces:plan", args=[pk]),
        reverse("taskforces:plan_changes", args=[pk]),
        reverse("taskforces:plan_export", args=[pk]),
        reverse("taskforces:calendar", args=[pk]),
        reverse("taskforces:action_new", args=[pk]),
        reverse("taskforces:meeting_new", args=[pk]),
        reverse("taskforces:meeting", args=[meeting.pk]),
        reverse("taskforces:meeting_edit", args=[meeting.pk]),
        reverse("taskforces:plan_version", args=[version.pk]),
        reverse("taskforces:action", args=[cast.prevention.pk]),
        reverse("taskforces:action_edit", args=[cast.prevention.pk]),
        reverse("taskforces:action_escalate", args=[cast.prevention.pk]),
    ]


def post_urls(cast) -> list[tuple[str, dict]]:
    pk, action = cast.taskforce.pk, cast.prevention.pk
    membership = cast.taskforce.memberships.get(user=cast.association)
    return [
        (reverse("taskforces:members", args=[pk]), {"user": cast.coordinator.pk, "role": "member"}),
        (reverse("taskforces:membership_role", args=[membership.pk]), {"role": "observer"}),
        (reverse("taskforces:membership_remove", args=[membership.pk]), {}),
        (reverse("taskforces:plan_submit", args=[pk]), {}),
        (
            reverse("taskforces:action_status", args=[action]),
            {"status": "done", "progress": "100", "revision": "1"},
        ),
        (reverse("taskforces:action_comment", args=[action]), {"comment": "Bonjour"}),
    ]


# --- Who sees the task force ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "cores_member", "mayor_other"])
def test_task_force_internals_are_invisible_outside(client, request, cast, who):
    client.force_login(request.getfixturevalue(who))
    for url in taskforce_urls(cast):
        assert client.get(url).status_code == 404, url
    for url, data in post_urls(cast):
        assert client.post(url, data).status_code == 404, url
    listing = client.get(reverse("taskforces:list"))
    assert listing.status_code == 200 and cast.taskforce not in listing.context["taskforces"]
    assert cast.taskforce.memberships.filter(user=cast.association).exists()
    assert not ActionUpdate.objects.exists()


@pytest.mark.parametrize("who", ["association_member", "csir_analyst", "csir_coordinator"])
def test_members_and_the_csir_see_the_task_force(client, request, cast, who):
    client.force_login(request.getfixturevalue(who))
    for url in taskforce_urls(cast):
        if "new" in url or "edit" in url or "escalate" in url:
            continue
        assert client.get(url).status_code == 200, url
    assert cast.taskforce in client.get(reverse("taskforces:list")).context["taskforces"]


def test_unknown_ids_are_404(client, cast):
    client.force_login(cast.coordinator)
    for name in ("detail", "plan", "members", "calendar"):
        assert client.get(reverse(f"taskforces:{name}", args=[99999])).status_code == 404
    for name in ("action", "action_edit", "meeting", "plan_version"):
        assert client.get(reverse(f"taskforces:{name}", args=[99999])).status_code == 404


def test_wrong_methods(client, cast):
    client.force_login(cast.coordinator)
    assert (
        client.get(reverse("taskforces:plan_submit", args=[cast.taskforce.pk])).status_code == 405
    )
    assert (
        client.get(reverse("taskforces:action_status", args=[cast.security.pk])).status_code == 405
    )
    assert client.post(reverse("taskforces:detail", args=[cast.taskforce.pk])).status_code == 405


# --- Who changes what --------------------------------------------------------------------------


def test_a_member_of_a_non_lead_agency_cannot_change_the_status(client, cast):
    # Transit is a partner of the security action, not its lead.
    client.force_login(cast.association)
    url = reverse("taskforces:action_status", args=[cast.security.pk])
    response = client.post(url, {"status": "done", "progress": "100", "revision": "1"})
    assert response.status_code == 403
    cast.security.refresh_from_db()
    assert cast.security.status == Status.PLANNED
    # ...but posts an update, as a partner.
    comment = reverse("taskforces:action_comment", args=[cast.security.pk])
    assert client.post(comment, {"comment": "Nos équipes passent à 22 h"}).status_code == 302
    assert ActionUpdate.objects.get().comment == "Nos équipes passent à 22 h"


def test_members_of_unrelated_agencies_neither_update_nor_edit(client, cast):
    client.force_login(cast.partner)  # Dune: partner of prevention only
    assert (
        client.post(
            reverse("taskforces:action_comment", args=[cast.neighbourhood.pk]), {"comment": "x"}
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("taskforces:action_edit", args=[cast.neighbourhood.pk])).status_code
        == 403
    )
    assert client.get(reverse("taskforces:action_new", args=[cast.taskforce.pk])).status_code == 403


def test_an_observer_only_reads(client, cast):
    taskforce_services.membership_change_role(
        membership=cast.taskforce.memberships.get(user=cast.police), role="observer", by=cast.chair
    )
    client.force_login(cast.police)
    assert client.get(reverse("taskforces:action", args=[cast.security.pk])).status_code == 200
    response = client.post(
        reverse("taskforces:action_status", args=[cast.security.pk]),
        {"status": "in_progress", "progress": "10", "revision": "1"},
    )
    assert response.status_code == 403


def test_lead_agency_changes_status_without_javascript(client, cast):
    client.force_login(cast.police)
    url = reverse("taskforces:action_status", args=[cast.security.pk])
    response = client.post(
        url, {"status": "in_progress", "progress": "25", "comment": "Lancé", "revision": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("taskforces:action", args=[cast.security.pk])
    cast.security.refresh_from_db()
    assert (cast.security.status, cast.security.progress) == (Status.IN_PROGRESS, 25)


def test_lead_agency_changes_status_with_htmx_gets_the_fragment(client, cast):
    client.force_login(cast.police)
    client.cookies.load({"django_language": "en"})
    url = reverse("taskforces:action_status", args=[cast.security.pk])
    response = client.post(
        url,
        {"status": "in_progress", "progress": "25", "comment": "Lancé", "revision": "1"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card" id="action-live"')
    assert "<html" not in page
    assert "Lancé" in page and 'name="revision" value="2"' in page


def test_the_timeline_escapes_user_text(client, cast):
    action_services.action_comment(
        action=cast.security, by=cast.police, comment="<script>alert(1)</script>"
    )
    client.force_login(cast.police)
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Members -------------------------------------------------------------------------------------


def test_the_chair_manages_the_members(client, cast):
    newcomer = UserFactory(username="newcomer", agency=AgencyFactory(name_fr="Samusocial"))
    client.force_login(cast.chair)
    url = reverse("taskforces:members", args=[cast.taskforce.pk])
    assert client.post(url, {"user": newcomer.pk, "role": "member"}).status_code == 302
    membership = cast.taskforce.memberships.get(user=newcomer)
    assert membership.agency.name_fr == "Samusocial"
    assert "view_taskforce" in get_perms(newcomer, cast.taskforce)

    role = reverse("taskforces:membership_role", args=[membership.pk])
    assert client.post(role, {"role": "coordinator"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "coordinator"
    assert "manage_members" in get_perms(newcomer, cast.taskforce)

    remove = reverse("taskforces:membership_remove", args=[membership.pk])
    assert client.post(remove).status_code == 302
    assert not cast.taskforce.memberships.filter(user=newcomer).exists()
    assert get_perms(newcomer, cast.taskforce) == []
    entry = AuditEntry.objects.get(action="taskforce.member_remove")
    assert entry.actor == cast.chair and entry.changes["user"] == "newcomer"
    # Removed, they no longer see it.
    client.force_login(newcomer)
    assert client.get(reverse("taskforces:detail", args=[cast.taskforce.pk])).status_code == 404


def test_only_active_users_can_be_added(client, cast):
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError):
        taskforce_services.membership_add(
            taskforce=cast.taskforce, user=gone, role="member", by=cast.chair
        )
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("taskforces:members", args=[cast.taskforce.pk]), {"user": gone.pk, "role": "member"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not cast.taskforce.memberships.filter(user=gone).exists()


@pytest.mark.parametrize("who", ["association", "partner"])
def test_plain_members_do_not_manage_members(client, cast, who):
    client.force_login(getattr(cast, who))
    membership = cast.taskforce.memberships.get(user=cast.police)
    assert (
        client.post(reverse("taskforces:membership_remove", args=[membership.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("taskforces:members", args=[cast.taskforce.pk]),
            {"user": cast.coordinator.pk, "role": "chair"},
        ).status_code
        == 403
    )
    assert cast.taskforce.memberships.filter(user=cast.police).exists()


def test_the_csir_manages_members_too(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    membership = cast.taskforce.memberships.get(user=cast.partner)
    assert (
        client.post(reverse("taskforces:membership_remove", args=[membership.pk])).status_code
        == 302
    )


# --- The police-judicial rule, everywhere -----------------------------------------------------


@pytest.fixture
def confidential(cast, csir_coordinator):
    """A validated plan, then a change to the police-judicial action, a police note on a
    public action, and a meeting decision about the confidential action."""
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    plan_services.plan_validate(version=version, by=csir_coordinator)
    action_services.action_update(
        action=cast.secret, by=cast.police, revision=cast.secret.revision, title="Enquête élargie"
    )
    action_services.action_comment(
        action=cast.security, by=cast.police, comment="Indicateur infiltré", police_judicial=True
    )
    action_services.action_comment(action=cast.security, by=cast.police, comment="Patrouille faite")
    action_services.action_comment(action=cast.secret, by=cast.police, comment="Filature en cours")
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    meeting_services.meeting_decision_add(
        meeting=meeting, by=cast.chair, text="On continue", action=cast.secret
    )
    return meeting


SECRETS = ("Enquête sur le réseau", "Enquête élargie", "Indicateur infiltré", "Filature en cours")


def assert_no_secret(content: str) -> None:
    for secret in SECRETS:
        assert secret not in content, secret


@pytest.mark.parametrize("who", ["association_member", "csir_analyst"])
def test_police_judicial_items_are_invisible_outside_the_circle(
    client, request, cast, confidential, who
):
    client.force_login(request.getfixturevalue(who))
    tf = cast.taskforce.pk
    # The police-judicial action's own URLs.
    for name in ("action", "action_edit", "action_escalate"):
        assert client.get(reverse(f"taskforces:{name}", args=[cast.secret.pk])).status_code == 404
    for name, data in (
        ("action_status", {"status": "done", "progress": "1", "revision": "1"}),
        ("action_comment", {"comment": "x"}),
    ):
        assert (
            client.post(reverse(f"taskforces:{name}", args=[cast.secret.pk]), data).status_code
            == 404
        )

    # The task force page: counts, per-axis progress, late and blocked.
    Action.objects.filter(pk=cast.secret.pk).update(
        status=Status.BLOCKED, due_on=timezone.localdate() - dt.timedelta(days=5)
    )
    page = client.get(reverse("taskforces:detail", args=[tf]))
    assert page.context["action_count"] == 3
    security = next(p for p in page.context["progress"] if p.axis == Axis.SECURITY)
    assert (security.count, security.average) == (1, 0)  # not (2, 40) with the secret's 80 %
    assert page.context["late"] == [] and page.context["blocked"] == []
    assert_no_secret(page.content.decode())

    # The plan, the list of task forces, the diff, the frozen version, the export.
    plan = client.get(reverse("taskforces:plan", args=[tf]))
    listed = {a.pk for group in plan.context["groups"] for a in group["actions"]}
    assert cast.secret.pk not in listed and len(listed) == 3
    assert_no_secret(plan.content.decode())
    changes = client.get(reverse("taskforces:plan_changes", args=[tf]))
    assert changes.context["changes"] == []
    assert_no_secret(changes.content.decode())
    version = cast.plan.versions.get(number=1)
    frozen = client.get(reverse("taskforces:plan_version", args=[version.pk]))
    assert frozen.context["count"] == 3
    assert_no_secret(frozen.content.decode())
    export = client.get(reverse("taskforces:plan_export", args=[tf]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 4  # header + 3
    assert_no_secret(export.content.decode("utf-8-sig"))

    # The timeline of a public action hides the police-judicial note.
    timeline = client.get(reverse("taskforces:action", args=[cast.security.pk]))
    assert [u.comment for u in timeline.context["timeline"]] == ["Patrouille faite"]
    assert_no_secret(timeline.content.decode())

    # The meeting shows the decision, not the confidential action it concerns.
    meeting = client.get(reverse("taskforces:meeting", args=[confidential.pk]))
    assert "On continue" in meeting.content.decode()
    assert_no_secret(meeting.content.decode())

    # My actions and the home page.
    assert_no_secret(client.get(reverse("taskforces:my_actions")).content.decode())
    assert_no_secret(client.get(reverse("home:index")).content.decode())


@pytest.mark.parametrize("who", ["police", "prosecutor"])
def test_the_circle_sees_police_judicial_items(client, cast, confidential, who):
    person = getattr(cast, who)
    client.force_login(person)
    tf = cast.taskforce.pk
    assert client.get(reverse("taskforces:action", args=[cast.secret.pk])).status_code == 200
    page = client.get(reverse("taskforces:detail", args=[tf]))
    assert page.context["action_count"] == 4
    security = next(p for p in page.context["progress"] if p.axis == Axis.SECURITY)
    assert (security.count, security.average) == (2, 40)
    # The police-judicial change is the annex's (never validated here), not the plan's.
    changes = client.get(reverse("taskforces:plan_changes", args=[tf])).context
    assert changes["changes"] == [] and changes["annex"] == {"base": None, "changes": []}
    export = client.get(reverse("taskforces:plan_export", args=[tf])).content.decode("utf-8-sig")
    assert "Enquête élargie" in export
    timeline = client.get(reverse("taskforces:action", args=[cast.security.pk])).context["timeline"]
    assert {u.comment for u in timeline} == {"Indicateur infiltré", "Patrouille faite"}
    mine = {a.pk for a in client.get(reverse("taskforces:my_actions")).context["actions"]}
    assert cast.secret.pk in mine


def test_the_csir_coordinator_sees_police_judicial_items(
    client, cast, confidential, csir_coordinator
):
    client.force_login(csir_coordinator)
    assert client.get(reverse("taskforces:action", args=[cast.secret.pk])).status_code == 200
    assert (
        client.get(reverse("taskforces:detail", args=[cast.taskforce.pk])).context["action_count"]
        == 4
    )


def test_my_actions_filters_police_judicial_even_for_a_partner(client, cast):
    # Built past the services' rule (police-judicial partners are police or prosecutors):
    # the filter itself must still hide it from a partner outside the circle.
    hidden = ActionFactory(
        plan=cast.plan,
        title="Opération de police",
        lead_agency=cast.police.agency,
        partners=[cast.association.agency],
        confidentiality=PJ,
    )
    client.force_login(cast.association)
    mine = client.get(reverse("taskforces:my_actions")).context["actions"]
    assert {a.pk for a in mine} == {cast.security.pk, cast.prevention.pk}
    assert hidden.pk not in {a.pk for a in mine}


def test_my_actions_lists_led_and_partnered_actions_across_task_forces(
    client, cast, hotspot_molenbeek, csir_analyst
):
    other = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    member(other, cast.association)
    elsewhere = ActionFactory(
        plan=plan_services.plan_open(taskforce=other), lead_agency=cast.association.agency
    )
    not_member = ActionFactory(lead_agency=cast.association.agency)  # a task force they are not in
    client.force_login(cast.association)
    mine = {a.pk for a in client.get(reverse("taskforces:my_actions")).context["actions"]}
    assert mine == {cast.security.pk, cast.prevention.pk, elsewhere.pk}
    assert not_member.pk not in mine
    late = client.get(reverse("taskforces:my_actions"), {"status": "late"}).context["actions"]
    assert late == []


# --- Query counts ---------------------------------------------------------------------------------


def add_actions(cast, count: int) -> None:
    agencies = [cast.police.agency, cast.association.agency, cast.commune, cast.dune]
    axes = list(Axis)
    today = timezone.localdate()
    actions = Action.objects.bulk_create(
        Action(
            plan=cast.plan,
            axis=axes[n % 3],
            title=f"Action {n}",
            lead_agency=agencies[n % 4],
            due_on=today + dt.timedelta(days=n % 40 - 20),
            horizon="short",
            deliverable="x",
            status=[Status.PLANNED, Status.BLOCKED, Status.IN_PROGRESS][n % 3],
            progress=n % 100,
            confidentiality=PJ if n % 7 == 0 else "taskforce",
        )
        for n in range(count)
    )
    through = Action.partner_agencies.through
    through.objects.bulk_create(
        through(action_id=a.pk, agency_id=agencies[(i + 1) % 4].pk) for i, a in enumerate(actions)
    )
    # The agencies' permissions, as the action services grant them (in bulk here).
    for i, agency in enumerate(agencies):
        group = agency_group(agency)
        led = Action.objects.filter(pk__in=[a.pk for a in actions[i::4]])
        partnered = Action.objects.filter(pk__in=[a.pk for a in actions[(i - 1) % 4 :: 4]])
        assign_perm("taskforces.change_action", group, led)
        assign_perm("taskforces.comment_action", group, partnered)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["association", "police"])
def test_pages_keep_their_query_count_as_the_plan_grows(client, cast, who):
    person = getattr(cast, who)
    client.force_login(person)
    MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    urls = [
        reverse("taskforces:detail", args=[cast.taskforce.pk]),
        reverse("taskforces:plan", args=[cast.taskforce.pk]),
        reverse("taskforces:my_actions"),
        reverse("home:index"),
    ]
    add_actions(cast, 20)
    for url in urls:  # warm up the process's caches (content types, permissions)
        client.get(url)
    small = {url: count_queries(client, url) for url in urls}
    add_actions(cast, 380)
    assert Action.objects.count() > 400
    large = {url: count_queries(client, url) for url in urls}
    assert small == large
    # The page shows its first 50 rows and says how many there are (issue 16).
    response = client.get(reverse("taskforces:my_actions"))
    assert response.context["actions_total"] > 100
    assert len(response.context["actions"]) == 50


# --- Home and navigation -----------------------------------------------------------------


def test_home_panel_shows_late_and_blocked_actions_and_next_meetings(client, cast):
    Action.objects.filter(pk=cast.prevention.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    Meeting.objects.create(
        taskforce=cast.taskforce,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Hôtel de ville de Saint-Gilles",
        created_by=cast.coordinator,
    )
    client.force_login(cast.association)
    page = client.get(reverse("home:index")).content.decode()
    assert "Travail de rue en soirée" in page
    assert "Hôtel de ville de Saint-Gilles" in page


def test_navigation_sections(client, cast, cores_member):
    client.force_login(cast.association)
    sections = client.get(reverse("taskforces:my_actions")).context["nav_sections"]
    labels = [str(item["label"]) for item in sections]
    client.cookies.load({"django_language": "en"})
    current = [
        item
        for item in client.get(reverse("taskforces:my_actions")).context["nav_sections"]
        if item["current"]
    ]
    assert [str(item["label"]) for item in current] == ["My actions"]
    assert len(labels) >= 3
    client.force_login(cores_member)
    sections = client.get(reverse("taskforces:list")).context["nav_sections"]
    assert reverse("taskforces:list") in [item["url"] for item in sections]
    assert reverse("taskforces:my_actions") not in [item["url"] for item in sections]
