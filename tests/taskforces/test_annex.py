"""The confidential police-judicial annex of the action plan, and who brings people into
the circle (DESIGN.md §8)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_user_perms

from coordination.audit.models import AuditEntry
from coordination.models import Agency, Axis
from coordination.notifications.models import Notification
from coordination.regional.overview.selectors import OverviewFilters, regional_overview
from taskforces.models import AccessGrant, Action, AnnexVersion, Membership, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, UserFactory
from tests.factories_taskforces import member

pytestmark = pytest.mark.django_db

PJ = Action.Confidentiality.POLICE_JUDICIAL
State = PlanVersion.State
SECRET = "Contrôles ciblés du réseau"


@pytest.fixture
def cast(cast, csir_analyst):
    """The Midi cast, with the CSIR analyst at hand (outside every circle)."""
    cast.analyst = csir_analyst
    return cast


@pytest.fixture
def validated(cast, csir_coordinator) -> PlanVersion:
    """The Midi plan, validated as version 1 (its police-judicial action apart)."""
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    return plan_services.plan_validate(version=version, by=csir_coordinator)


def add_secret(cast, *, axis: str = Axis.SECURITY, title: str = SECRET) -> Action:
    """The police add a police-judicial action (complete, as the rule requires)."""
    return action_services.action_create(
        plan=cast.plan,
        by=cast.police,
        axis=axis,
        title=title,
        lead_agency=cast.police.agency,
        partner_agencies=[cast.parquet],
        due_on=timezone.localdate() + dt.timedelta(days=30),
        horizon=Action.Horizon.SHORT,
        deliverable="Procès-verbaux",
        confidentiality=PJ,
    )


def plan_state(cast):
    version = plan_selectors.current_version(cast.plan)
    return (version.number, version.state, cast.plan.versions.count())


# --- The plan others see never changes because of the annex ------------------------------


def test_a_police_judicial_action_leaves_the_plan_unchanged(client, cast, validated):
    frozen = dict(validated.snapshot)
    assert {e["id"] for e in frozen["actions"]} == {
        cast.security.pk,
        cast.prevention.pk,
        cast.neighbourhood.pk,
    }  # the plan proper: the police-judicial action is not in it

    added = add_secret(cast)
    action_services.action_update(
        action=cast.secret, by=cast.police, revision=cast.secret.revision, title="Enquête élargie"
    )
    action_services.action_set_status(
        action=added,
        by=cast.police,
        revision=added.revision,
        status=Action.Status.CANCELLED,
        progress=0,
        comment="Dossier classé",
    )

    assert plan_state(cast) == (1, State.VALIDATED, 1)
    validated.refresh_from_db()
    assert validated.snapshot == frozen
    annex = plan_selectors.current_annex(cast.plan)
    assert (annex.number, annex.state) == (1, State.DRAFT)

    for person in (cast.association, cast.chair, cast.analyst):
        client.force_login(person)
        page = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk]))
        assert page.status_code == 200
        assert page.context["version"] == validated and page.context["annex"] is None
        assert [v.number for v in page.context["versions"]] == [1]
        html = page.content.decode()
        for trace in (SECRET, "Enquête", "annex", "Annex", "police-judicial", "Version 2"):
            assert trace not in html, (person, trace)
        changes = client.get(reverse("taskforces:plan_changes", args=[cast.taskforce.pk]))
        assert changes.context["base"] == validated and changes.context["changes"] == []
        assert changes.context["annex"] is None
        assert "Nothing changed in the plan since it was validated." in changes.content.decode()
        assert SECRET not in changes.content.decode()


def test_the_circle_sees_the_annex_beside_the_unchanged_plan(client, cast, validated):
    add_secret(cast)
    client.force_login(cast.police)
    page = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk]))
    assert page.context["version"] == validated
    annex = page.context["annex"]
    assert annex["version"].number == 1 and annex["version"].state == State.DRAFT
    assert annex["action_count"] == 2 and annex["can_submit"]
    listed = {a.pk for group in page.context["groups"] for a in group["actions"]}
    assert cast.secret.pk not in listed  # the annex's actions are listed in the annex only
    html = page.content.decode()
    assert "Police-judicial annex" in html and SECRET in html


def test_the_plan_keeps_its_cycle_while_the_annex_is_reviewed(cast, validated, csir_coordinator):
    # A police-judicial change while the plan is with the CSIR: the annex takes it.
    action_services.action_update(
        action=cast.security, by=cast.coordinator, revision=cast.security.revision, title="X"
    )
    plan_services.plan_submit(version=plan_selectors.current_version(cast.plan), by=cast.chair)
    add_secret(cast)
    assert plan_state(cast) == (2, State.SUBMITTED, 2)
    # And the annex with the CSIR does not stop the plan from changing.
    plan_services.plan_validate(
        version=plan_selectors.current_version(cast.plan), by=csir_coordinator
    )
    plan_services.annex_submit(plan=cast.plan, by=cast.police)
    action_services.action_update(
        action=cast.security, by=cast.coordinator, revision=cast.security.revision + 1, title="Y"
    )
    assert plan_state(cast) == (3, State.DRAFT, 3)
    with pytest.raises(ValidationError, match="annex is with the CSIR"):
        add_secret(cast, title="Encore une")


# --- The annex's own cycle ---------------------------------------------------------------


def test_the_annex_is_submitted_validated_and_versioned(cast, validated, csir_coordinator):
    add_secret(cast)
    before = set(Notification.objects.values_list("pk", flat=True))
    version = plan_services.annex_submit(plan=cast.plan, by=cast.police)
    assert (version.number, version.state, version.submitted_by) == (
        1,
        State.SUBMITTED,
        cast.police,
    )
    # The reviewer is told, and only the reviewer (no one outside the circle).
    told = Notification.objects.exclude(pk__in=before)
    assert [n.recipient for n in told] == [csir_coordinator]
    with pytest.raises(ValidationError, match="CSIR coordinator"):
        plan_services.annex_validate(version=version, by=cast.analyst)
    with pytest.raises(ValidationError):
        plan_services.annex_return(version=version, by=csir_coordinator, comment="  ")
    version = plan_services.annex_return(
        version=version, by=csir_coordinator, comment="Précisez les échéances."
    )
    assert version.state == State.RETURNED
    version = plan_services.annex_submit(plan=cast.plan, by=cast.prosecutor)
    version = plan_services.annex_validate(version=version, by=csir_coordinator, comment="OK")
    frozen = {entry["id"] for entry in version.snapshot["actions"]}
    assert cast.secret.pk in frozen and len(frozen) == 2
    assert all(entry["confidentiality"] == PJ for entry in version.snapshot["actions"])

    # A change to a validated annex opens its next version, never the plan's.
    action_services.action_update(
        action=cast.secret, by=cast.police, revision=cast.secret.revision, title="Enquête élargie"
    )
    annex = plan_selectors.current_annex(cast.plan)
    assert (annex.number, annex.state) == (2, State.DRAFT)
    assert plan_state(cast) == (1, State.VALIDATED, 1)

    entries = AuditEntry.objects.filter(action__startswith="plan.annex_").order_by("pk")
    assert [e.action for e in entries] == [
        "plan.annex_new_version",
        "plan.annex_submit",
        "plan.annex_return",
        "plan.annex_submit",
        "plan.annex_validate",
        "plan.annex_new_version",
    ]
    assert all(entry.police_judicial for entry in entries)
    create = AuditEntry.objects.get(action="action.create")
    assert create.police_judicial and create.changes["annex_version"] == 1
    assert "version" not in create.changes
    assert not AuditEntry.objects.filter(action="plan.new_version").exists()


def test_the_review_of_the_annex_is_told_to_the_circle_only(
    client, cast, validated, csir_coordinator
):
    add_secret(cast)
    version = plan_services.annex_submit(plan=cast.plan, by=cast.police)
    submitted = Notification.objects.get(kind="annex_submitted")
    assert submitted.recipient == csir_coordinator

    # It waits on the coordinator's home page; the analyst (outside the circle) sees nothing.
    client.force_login(csir_coordinator)
    home = client.get(reverse("home:index")).content.decode()
    assert "Police-judicial annexes awaiting validation" in home
    client.force_login(cast.analyst)
    home = client.get(reverse("home:index")).content.decode()
    assert "annex" not in home.lower()

    before = set(Notification.objects.values_list("pk", flat=True))
    plan_services.annex_return(version=version, by=csir_coordinator, comment="Dates ?")
    told = Notification.objects.exclude(pk__in=before)
    assert {n.kind for n in told} == {"annex_returned"}
    recipients = {n.recipient for n in told}
    assert {cast.police, cast.prosecutor} <= recipients
    # Nobody outside the circle learns of it: not the chair, not the association.
    assert not recipients & {cast.chair, cast.association, cast.analyst}


def test_the_circle_keeps_the_annex_and_the_chair_cannot(cast, validated):
    add_secret(cast)
    for outsider in (cast.chair, cast.coordinator, cast.association, cast.analyst):
        with pytest.raises(PermissionDenied):
            plan_services.annex_submit(plan=cast.plan, by=outsider)
    assert plan_selectors.current_annex(cast.plan).state == State.DRAFT


def test_an_empty_annex_cannot_be_submitted(cast):
    Action.objects.filter(pk=cast.secret.pk).update(status=Action.Status.CANCELLED)
    with pytest.raises(plan_services.PlanIncomplete) as refused:
        plan_services.annex_submit(plan=cast.plan, by=cast.police)
    assert refused.value.reasons == ["The police-judicial annex has no action to submit."]


def test_an_action_does_not_move_between_plan_and_annex(cast):
    with pytest.raises(ValidationError, match="cannot move"):
        action_services.action_update(
            action=cast.secret,
            by=cast.police,
            revision=cast.secret.revision,
            confidentiality=Action.Confidentiality.TASKFORCE,
        )
    with pytest.raises(ValidationError, match="cannot move"):
        action_services.action_update(
            action=cast.security,
            by=cast.coordinator,
            revision=cast.security.revision,
            confidentiality=PJ,
        )


def test_annex_pages_answer_404_outside_the_circle(client, cast, validated, csir_coordinator):
    add_secret(cast)
    version = plan_services.annex_submit(plan=cast.plan, by=cast.police)
    urls = [
        ("get", reverse("taskforces:annex_version", args=[version.pk])),
        ("post", reverse("taskforces:annex_submit", args=[cast.taskforce.pk])),
        ("post", reverse("taskforces:annex_review", args=[version.pk])),
    ]
    for person in (cast.association, cast.chair, cast.analyst):
        client.force_login(person)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (person, url)

    client.force_login(cast.police)
    assert client.get(urls[0][1]).status_code == 200
    review = {"annex-decision": "validate", "annex-comment": ""}
    assert client.post(urls[2][1], review).status_code == 403
    assert client.get(urls[2][1]).status_code == 405

    client.force_login(csir_coordinator)
    page = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk]))
    assert page.context["annex"]["can_review"] and "annex_review_form" in page.context
    response = client.post(urls[2][1], review)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == State.VALIDATED
    frozen = client.get(urls[0][1])
    assert frozen.context["is_annex"] and frozen.context["count"] == 2
    assert SECRET in frozen.content.decode()
    assert client.get(reverse("taskforces:annex_version", args=[999999])).status_code == 404


def test_the_circle_submits_the_annex_from_the_plan_page(client, cast):
    client.force_login(cast.police)
    url = reverse("taskforces:annex_submit", args=[cast.taskforce.pk])
    response = client.post(url)
    assert response.status_code == 302
    annex = plan_selectors.current_annex(cast.plan)
    assert (annex.number, annex.state) == (1, State.SUBMITTED)
    # Again: refused on the page with the reason, nothing lost.
    again = client.post(url)
    assert again.status_code == 200
    assert "already been submitted" in again.content.decode()
    assert plan_selectors.current_annex(cast.plan).state == State.SUBMITTED


def test_the_changes_of_the_annex_are_shown_to_the_circle(client, cast, csir_coordinator):
    plan_services.annex_validate(
        version=plan_services.annex_submit(plan=cast.plan, by=cast.police), by=csir_coordinator
    )
    action_services.action_update(
        action=cast.secret, by=cast.police, revision=cast.secret.revision, title="Enquête élargie"
    )
    client.force_login(cast.prosecutor)
    context = client.get(reverse("taskforces:plan_changes", args=[cast.taskforce.pk])).context
    assert [(c.action_id, c.kind) for c in context["annex"]["changes"]] == [
        (cast.secret.pk, "changed")
    ]
    assert context["changes"] == []


def test_the_overview_reads_the_state_of_the_plan_not_of_the_annex(
    cast, validated, csir_coordinator
):
    add_secret(cast)
    for reader in (csir_coordinator, cast.analyst):
        row = regional_overview(reader, OverviewFilters()).rows[0]
        assert (row.plan_number, row.plan_state) == (1, State.VALIDATED)


# --- The three axes are checked on the plan its submitters see ------------------------


def test_the_annex_does_not_cover_an_axis_of_the_plan(client, cast):
    action_services.action_set_status(
        action=cast.neighbourhood,
        by=cast.chair,
        revision=cast.neighbourhood.revision,
        status=Action.Status.CANCELLED,
        progress=0,
        comment="Abandonné",
    )
    add_secret(cast, axis=Axis.NEIGHBOURHOOD)
    with pytest.raises(plan_services.PlanIncomplete) as refused:
        plan_services.plan_submit(
            version=plan_selectors.current_version(cast.plan), by=cast.coordinator
        )
    assert refused.value.reasons == [
        "No action on the Neighbourhood life axis: each of the three axes needs one."
    ]
    client.force_login(cast.coordinator)
    page = client.post(reverse("taskforces:plan_submit", args=[cast.taskforce.pk]))
    assert page.status_code == 200
    assert "Neighbourhood life" in page.content.decode()
    assert SECRET not in page.content.decode()
    assert plan_selectors.current_version(cast.plan).state == State.DRAFT


def test_the_plan_is_complete_without_the_annex(cast, csir_coordinator):
    # Every police-judicial action cancelled or not: the plan proper stands on its own.
    Action.objects.filter(pk=cast.secret.pk).update(status=Action.Status.CANCELLED)
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    assert version.state == State.SUBMITTED


# --- Only the CSIR coordinator or the circle brings people into the circle --------------


@pytest.fixture
def newcomer(db):
    """A federal police officer not yet in the task force."""
    return UserFactory(
        username="fedpol",
        agency=AgencyFactory(name_fr="Police fédérale", kind=Agency.Kind.FEDERAL_POLICE),
    )


def in_circle(user, taskforce) -> bool:
    return "view_police_judicial" in get_user_perms(user, taskforce)


@pytest.mark.parametrize("who", ["chair", "analyst"])
def test_a_manager_outside_the_circle_cannot_bring_someone_in(client, cast, newcomer, who):
    person = getattr(cast, who)
    with pytest.raises(taskforce_services.CircleEntryRefused):
        taskforce_services.membership_add(
            taskforce=cast.taskforce, user=newcomer, role=Membership.Role.MEMBER, by=person
        )
    client.force_login(person)
    url = reverse("taskforces:members", args=[cast.taskforce.pk])
    response = client.post(url, {"user": newcomer.pk, "role": Membership.Role.MEMBER})
    assert response.status_code == 403
    assert "Only the CSIR coordinator or a member" in response.content.decode()
    assert response.context["form"]["user"].value() == str(newcomer.pk)  # input kept
    assert not cast.taskforce.memberships.filter(user=newcomer).exists()
    assert not in_circle(newcomer, cast.taskforce)
    assert not AuditEntry.objects.filter(
        action="taskforce.member_add", changes__user=newcomer.username
    ).exists()


def test_a_chair_still_adds_people_outside_the_circle(client, cast):
    outsider = UserFactory(username="cpas", agency=AgencyFactory(name_fr="CPAS d'Anderlecht"))
    client.force_login(cast.chair)
    url = reverse("taskforces:members", args=[cast.taskforce.pk])
    response = client.post(url, {"user": outsider.pk, "role": Membership.Role.MEMBER})
    assert response.status_code == 302
    assert cast.taskforce.memberships.filter(user=outsider).exists()
    # Changing the role of a member already in the circle brings nobody in.
    police = cast.taskforce.memberships.get(user=cast.police)
    taskforce_services.membership_change_role(
        membership=police, role=Membership.Role.OBSERVER, by=cast.chair
    )
    assert in_circle(cast.police, cast.taskforce)


def test_the_csir_coordinator_brings_someone_into_the_circle(
    client, cast, newcomer, csir_coordinator
):
    client.force_login(csir_coordinator)
    url = reverse("taskforces:members", args=[cast.taskforce.pk])
    response = client.post(url, {"user": newcomer.pk, "role": Membership.Role.MEMBER})
    assert response.status_code == 302
    assert in_circle(newcomer, cast.taskforce)
    entry = AuditEntry.objects.get(action="taskforce.member_add", actor=csir_coordinator)
    assert entry.changes["user"] == newcomer.username


def test_a_member_of_the_circle_brings_someone_in(cast, newcomer):
    taskforce_services.membership_change_role(
        membership=cast.taskforce.memberships.get(user=cast.police),
        role=Membership.Role.COORDINATOR,
        by=cast.chair,
    )
    taskforce_services.membership_add(
        taskforce=cast.taskforce, user=newcomer, role=Membership.Role.MEMBER, by=cast.police
    )
    assert in_circle(newcomer, cast.taskforce)
    assert AuditEntry.objects.filter(action="taskforce.member_add", actor=cast.police).exists()


def test_the_circle_access_is_granted_by_the_csir_coordinator_only(
    client, cast, administrator, csir_coordinator
):
    observer = UserFactory(username="fedasil", agency=AgencyFactory(name_fr="Fedasil"))
    member(cast.taskforce, observer, Membership.Role.OBSERVER)
    url = reverse("taskforces:access_grant", args=[cast.taskforce.pk])
    data = {
        "grant-user": observer.pk,
        "grant-codename": AccessGrant.Perm.CIRCLE,
        "grant-reason": "Officier de liaison",
    }
    client.force_login(administrator)
    refused = client.post(url, data)
    assert refused.status_code == 403
    assert "Only the CSIR coordinator or a member" in refused.content.decode()
    assert not AccessGrant.objects.exists() and not in_circle(observer, cast.taskforce)
    with pytest.raises(taskforce_services.CircleEntryRefused):
        taskforce_services.access_grant(
            taskforce=cast.taskforce,
            user=observer,
            codename=AccessGrant.Perm.CIRCLE,
            reason="x",
            by=administrator,
        )
    # The administrator still gives plain read access.
    taskforce_services.access_grant(
        taskforce=cast.taskforce,
        user=UserFactory(username="reader"),
        codename=AccessGrant.Perm.VIEW,
        reason="Lecture",
        by=administrator,
    )

    client.force_login(csir_coordinator)
    assert client.post(url, data).status_code == 302
    assert in_circle(observer, cast.taskforce)
    entry = AuditEntry.objects.get(action="taskforce.access_grant", actor=csir_coordinator)
    assert entry.changes["permission"] == "view_police_judicial"


# --- The data migration ---------------------------------------------------------------


def migrate_annex():
    migration = importlib.import_module("taskforces.migrations.0002_police_judicial_annex")
    migration.move_police_judicial_actions(django_apps, None)


def test_the_migration_moves_police_judicial_actions_into_the_annex(cast, validated):
    # Before the annex: the validated snapshot held the police-judicial action, and a
    # change to it opened an empty draft of the plan.
    legacy = {
        "actions": [
            plan_selectors.action_snapshot(a)
            for a in cast.plan.actions.prefetch_related("partner_agencies").order_by("pk")
        ]
    }
    PlanVersion.objects.filter(pk=validated.pk).update(snapshot=legacy)
    PlanVersion.objects.create(plan=cast.plan, number=2)
    Action.objects.filter(pk=cast.secret.pk).update(title="Enquête élargie")

    migrate_annex()

    validated.refresh_from_db()
    assert validated.snapshot == legacy  # a decision is not rewritten
    assert plan_state(cast) == (1, State.VALIDATED, 1)  # the empty draft is gone
    first, second = AnnexVersion.objects.filter(plan=cast.plan).order_by("number")
    assert (first.state, first.reviewed_by, first.reviewed_at) == (
        State.VALIDATED,
        validated.reviewed_by,
        validated.reviewed_at,
    )
    assert [e["id"] for e in first.snapshot["actions"]] == [cast.secret.pk]
    assert (second.number, second.state) == (2, State.DRAFT)


def test_the_migration_keeps_a_real_draft_and_an_unchanged_annex(cast, validated):
    legacy = {
        "actions": [
            plan_selectors.action_snapshot(a)
            for a in cast.plan.actions.prefetch_related("partner_agencies").order_by("pk")
        ]
    }
    PlanVersion.objects.filter(pk=validated.pk).update(snapshot=legacy)
    action_services.action_update(
        action=cast.security, by=cast.coordinator, revision=cast.security.revision, title="Z"
    )
    AnnexVersion.objects.all().delete()

    migrate_annex()

    assert plan_state(cast) == (2, State.DRAFT, 2)
    assert list(AnnexVersion.objects.values_list("number", "state")) == [(1, State.VALIDATED)]


def test_a_legacy_snapshot_hides_police_judicial_entries_outside_the_circle(
    client, cast, validated
):
    legacy = {
        "actions": [
            plan_selectors.action_snapshot(a)
            for a in cast.plan.actions.prefetch_related("partner_agencies").order_by("pk")
        ]
    }
    PlanVersion.objects.filter(pk=validated.pk).update(snapshot=legacy)
    url = reverse("taskforces:plan_version", args=[validated.pk])
    client.force_login(cast.association)
    page = client.get(url)
    assert page.context["count"] == 3 and "Enquête" not in page.content.decode()
    client.force_login(cast.police)
    assert client.get(url).context["count"] == 4
