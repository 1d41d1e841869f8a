"""Task forces: the plan's life (submit, validate, return, versions), actions, escalations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from coordination.models import AuditEntry, Axis
from taskforces.models import Action, ActionUpdate, Escalation, PlanVersion
from taskforces.selectors import actions as action_selectors
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from tests.factories_taskforces import ActionFactory

pytestmark = pytest.mark.django_db
State = PlanVersion.State
Status = Action.Status


@pytest.fixture(autouse=True)
def _english():
    """Service messages are read in English here; pages get the language cookie."""
    with translation.override("en"):
        yield


def current(cast) -> PlanVersion:
    return plan_selectors.current_version(cast.plan)


def submit_and_validate(cast, csir_coordinator) -> PlanVersion:
    version = plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    return plan_services.plan_validate(version=version, by=csir_coordinator)


# --- Opening ----------------------------------------------------------------------------


def test_opening_a_task_force_creates_its_plan_and_first_draft(hotspot_molenbeek, csir_analyst):
    taskforce = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    version = plan_selectors.current_version(taskforce.plan)
    assert (version.number, version.state) == (1, State.DRAFT)
    # Opening again changes nothing.
    taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    assert taskforce.plan.versions.count() == 1


# --- Submission -------------------------------------------------------------------------


def test_submission_refused_when_an_axis_is_empty(cast):
    cast.prevention.delete()
    with pytest.raises(plan_services.PlanIncomplete) as refused:
        plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    assert any("Prevention" in reason for reason in refused.value.reasons)
    assert not any("Security" in reason for reason in refused.value.reasons)
    assert current(cast).state == State.DRAFT


def test_a_cancelled_action_does_not_cover_its_axis(cast):
    Action.objects.filter(pk=cast.neighbourhood.pk).update(status=Status.CANCELLED)
    reasons = plan_selectors.plan_missing(cast.plan)
    assert reasons == [
        "No action on the Neighbourhood life axis: each of the three axes needs one."
    ]


def test_submission_lists_what_each_action_lacks(cast):
    Action.objects.filter(pk=cast.prevention.pk).update(
        lead_agency=None, due_on=None, horizon="", deliverable=""
    )
    with pytest.raises(plan_services.PlanIncomplete) as refused:
        plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    (reason,) = refused.value.reasons
    assert "Travail de rue en soirée" in reason
    for missing in ("a lead agency", "a due date", "a horizon", "a deliverable or an indicator"):
        assert missing in reason


def test_an_indicator_target_stands_for_a_deliverable(cast):
    from hotspots.models import IndicatorDefinition

    indicator = IndicatorDefinition.objects.get(code="outreach_contacts")
    Action.objects.filter(pk=cast.prevention.pk).update(
        deliverable="", indicator=indicator, indicator_target=120
    )
    assert plan_selectors.plan_missing(cast.plan) == []


def test_refused_submission_shows_the_reasons_on_the_page(client, cast):
    cast.neighbourhood.delete()
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    response = client.post(reverse("taskforces:plan_submit", args=[cast.taskforce.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The plan cannot be submitted yet:" in page
    assert "No action on the Neighbourhood life axis" in page
    assert current(cast).state == State.DRAFT


def test_submit_through_the_page(client, cast):
    client.force_login(cast.coordinator)
    response = client.post(reverse("taskforces:plan_submit", args=[cast.taskforce.pk]))
    assert response.status_code == 302
    version = current(cast)
    assert version.state == State.SUBMITTED and version.submitted_by == cast.coordinator
    assert AuditEntry.objects.filter(action="plan.submit").exists()


def test_a_plain_member_cannot_submit(client, cast):
    client.force_login(cast.association)
    response = client.post(reverse("taskforces:plan_submit", args=[cast.taskforce.pk]))
    assert response.status_code == 403
    assert current(cast).state == State.DRAFT


def test_a_police_judicial_action_is_complete_from_the_start(cast):
    with pytest.raises(ValidationError):
        action_services.action_create(
            plan=cast.plan,
            by=cast.police,
            axis=Axis.SECURITY,
            title="Filature",
            lead_agency=cast.police.agency,
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
        )
    with pytest.raises(ValidationError):
        # Led outside the circle, its lead could not even see it.
        action_services.action_create(
            plan=cast.plan,
            by=cast.police,
            axis=Axis.SECURITY,
            title="Filature",
            lead_agency=cast.commune,
            due_on=timezone.localdate(),
            horizon="short",
            deliverable="PV",
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
        )
    with pytest.raises(PermissionDenied):
        # Outside the circle, the coordinator cannot create what they could not see.
        action_services.action_create(
            plan=cast.plan,
            by=cast.coordinator,
            axis=Axis.SECURITY,
            title="Filature",
            lead_agency=cast.police.agency,
            due_on=timezone.localdate(),
            horizon="short",
            deliverable="PV",
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
        )


# --- Review and versions ------------------------------------------------------------------


def test_validation_freezes_the_version(cast, csir_coordinator):
    validated = submit_and_validate(cast, csir_coordinator)
    assert validated.state == State.VALIDATED and validated.reviewed_by == csir_coordinator
    frozen = {entry["id"]: entry for entry in validated.snapshot["actions"]}
    # The plan proper: the police-judicial action is frozen with its annex (test_annex.py).
    assert set(frozen) == {
        cast.security.pk,
        cast.prevention.pk,
        cast.neighbourhood.pk,
    }
    assert frozen[cast.security.pk]["title"] == "Patrouilles mixtes autour de la gare"

    action_services.action_update(
        action=cast.security,
        by=cast.coordinator,
        revision=cast.security.revision,
        title="Patrouilles renforcées",
    )
    validated.refresh_from_db()
    assert validated.state == State.VALIDATED
    assert {e["id"]: e for e in validated.snapshot["actions"]}[cast.security.pk]["title"] == (
        "Patrouilles mixtes autour de la gare"
    )
    # The frozen version cannot be reviewed again.
    with pytest.raises(ValidationError):
        plan_services.plan_return(version=validated, by=csir_coordinator, comment="Non")


def test_a_change_to_a_validated_plan_starts_a_new_version(cast, csir_coordinator):
    submit_and_validate(cast, csir_coordinator)
    action_services.action_update(
        action=cast.prevention,
        by=cast.coordinator,
        revision=cast.prevention.revision,
        due_on=dt.date(2031, 1, 31),
    )
    version = current(cast)
    assert (version.number, version.state) == (2, State.DRAFT)
    # A second change goes into the same draft.
    cast.prevention.refresh_from_db()
    action_services.action_update(
        action=cast.prevention,
        by=cast.coordinator,
        revision=cast.prevention.revision,
        horizon=Action.Horizon.LONG,
    )
    assert cast.plan.versions.count() == 2


def test_adding_an_action_to_a_validated_plan_starts_a_new_version(cast, csir_coordinator):
    submit_and_validate(cast, csir_coordinator)
    action_services.action_create(
        plan=cast.plan, by=cast.coordinator, axis=Axis.NEIGHBOURHOOD, title="Fête de quartier"
    )
    assert (current(cast).number, current(cast).state) == (2, State.DRAFT)


def test_status_and_progress_do_not_start_a_new_version(cast, csir_coordinator):
    submit_and_validate(cast, csir_coordinator)
    action_services.action_set_status(
        action=cast.security,
        by=cast.police,
        revision=cast.security.revision,
        status=Status.IN_PROGRESS,
        progress=30,
    )
    action_services.action_comment(
        action=cast.prevention, by=cast.partner, comment="Deux soirées faites"
    )
    assert cast.plan.versions.count() == 1
    assert current(cast).state == State.VALIDATED


def test_no_content_change_while_submitted(cast):
    plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    with pytest.raises(ValidationError):
        action_services.action_update(
            action=cast.prevention,
            by=cast.coordinator,
            revision=cast.prevention.revision,
            title="Autre",
        )
    cast.prevention.refresh_from_db()
    assert cast.prevention.title == "Travail de rue en soirée"


def test_returned_with_comments_then_edited_and_resubmitted(cast, csir_coordinator):
    version = plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    with pytest.raises(ValidationError):
        plan_services.plan_return(version=version, by=csir_coordinator, comment=" ")
    returned = plan_services.plan_return(
        version=version, by=csir_coordinator, comment="Précisez les indicateurs de prévention."
    )
    assert returned.state == State.RETURNED
    action_services.action_update(
        action=cast.prevention,
        by=cast.coordinator,
        revision=cast.prevention.revision,
        deliverable="120 contacts par mois",
    )
    # Editing a returned version does not start a new one; resubmitting sends it again.
    assert current(cast).pk == returned.pk
    resubmitted = plan_services.plan_submit(version=returned, by=cast.coordinator)
    assert resubmitted.state == State.SUBMITTED


def test_only_the_csir_coordinator_reviews(client, cast, csir_analyst):
    version = plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    for who in (csir_analyst, cast.coordinator, cast.chair):
        client.force_login(who)
        response = client.post(
            reverse("taskforces:plan_review", args=[version.pk]), {"decision": "validate"}
        )
        assert response.status_code == 403
    version.refresh_from_db()
    assert version.state == State.SUBMITTED


def test_review_through_the_page(client, cast, csir_coordinator):
    version = plan_services.plan_submit(version=current(cast), by=cast.coordinator)
    client.force_login(csir_coordinator)
    url = reverse("taskforces:plan_review", args=[version.pk])
    # Returning needs a comment.
    assert client.post(url, {"decision": "return", "comment": ""}).status_code == 200
    response = client.post(url, {"decision": "return", "comment": "Ajoutez un calendrier."})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == State.RETURNED

    client.force_login(cast.coordinator)
    page = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk])).content.decode()
    assert "Ajoutez un calendrier." in page


def test_the_diff_page_shows_what_changed(client, cast, csir_coordinator):
    submit_and_validate(cast, csir_coordinator)
    action_services.action_update(
        action=cast.prevention,
        by=cast.coordinator,
        revision=cast.prevention.revision,
        title="Travail de rue de nuit",
        horizon=Action.Horizon.MEDIUM,
    )
    added = action_services.action_create(
        plan=cast.plan, by=cast.coordinator, axis=Axis.NEIGHBOURHOOD, title="Fête de quartier"
    )
    action_services.action_set_status(
        action=cast.neighbourhood,
        by=cast.coordinator,
        revision=cast.neighbourhood.revision,
        status=Status.CANCELLED,
        progress=20,
        comment="Remplacée par la fête de quartier",
    )
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("taskforces:plan_changes", args=[cast.taskforce.pk]))
    page = response.content.decode()
    assert "Changes since version 1" in page
    assert "Travail de rue en soirée" in page and "Travail de rue de nuit" in page
    assert "Short term" in page and "Medium term" in page
    changes = {c.action_id: c for c in response.context["changes"]}
    assert changes[added.pk].kind == "added"
    assert changes[cast.neighbourhood.pk].kind == "removed"
    changed = changes[cast.prevention.pk]
    assert changed.kind == "changed"
    assert {(f.name, f.old, f.new) for f in changed.fields} == {
        ("title", "Travail de rue en soirée", "Travail de rue de nuit"),
        ("horizon", "Short term", "Medium term"),
    }
    assert cast.security.pk not in changes


# --- Actions: status, conflicts, late --------------------------------------------------------


def test_status_change_writes_the_timeline(cast):
    update = action_services.action_set_status(
        action=cast.security,
        by=cast.police,
        revision=cast.security.revision,
        status=Status.IN_PROGRESS,
        progress=35,
        comment="Premières patrouilles",
    )
    cast.security.refresh_from_db()
    assert (cast.security.status, cast.security.progress, cast.security.revision) == (
        Status.IN_PROGRESS,
        35,
        2,
    )
    assert (update.old_status, update.new_status, update.progress) == (
        Status.PLANNED,
        Status.IN_PROGRESS,
        35,
    )
    assert update.agency == cast.police.agency and update.at is not None


def test_done_means_a_hundred_percent(cast):
    action_services.action_set_status(
        action=cast.security, by=cast.police, revision=1, status=Status.DONE, progress=60
    )
    cast.security.refresh_from_db()
    assert cast.security.progress == 100


def test_blocking_needs_a_reason(cast):
    with pytest.raises(ValidationError):
        action_services.action_set_status(
            action=cast.security, by=cast.police, revision=1, status=Status.BLOCKED, progress=10
        )


def test_concurrent_edits_the_second_is_told_and_nothing_is_overwritten(client, cast):
    url = reverse("taskforces:action_edit", args=[cast.prevention.pk])
    form = {
        "axis": "prevention",
        "title": "",
        "description": "Une action du plan.",
        "lead_agency": cast.association.agency.pk,
        "partner_agencies": [cast.dune.pk],
        "start_on": cast.prevention.start_on.isoformat(),
        "due_on": cast.prevention.due_on.isoformat(),
        "horizon": "short",
        "deliverable": "Rapport",
        "indicator": "",
        "indicator_target": "",
        "confidentiality": "taskforce",
        "revision": str(cast.prevention.revision),
    }
    # The coordinator and the chair opened the form at the same revision.
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    first = client.post(url, {**form, "title": "Maraudes du coordinateur"})
    assert first.status_code == 302

    client.force_login(cast.chair)
    client.cookies.load({"django_language": "en"})
    second = client.post(url, {**form, "title": "Maraudes de la bourgmestre"})
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else saved this action while you were editing it." in page
    # They see the current values and keep what they typed.
    assert "Maraudes du coordinateur" in page
    assert 'value="Maraudes de la bourgmestre"' in page
    assert second.context["form"]["revision"].value() == "2"
    cast.prevention.refresh_from_db()
    assert cast.prevention.title == "Maraudes du coordinateur"
    assert cast.prevention.revision == 2


def test_concurrent_status_changes(client, cast, police_member):
    from tests.factories import UserFactory
    from tests.factories_taskforces import member

    colleague = UserFactory(username="police-2", agency=police_member.agency)
    member(cast.taskforce, colleague)
    url = reverse("taskforces:action_status", args=[cast.security.pk])
    client.force_login(police_member)
    first = client.post(url, {"status": "in_progress", "progress": "20", "revision": "1"})
    assert first.status_code == 302

    client.force_login(colleague)
    client.cookies.load({"django_language": "en"})
    second = client.post(
        url,
        {"status": "done", "progress": "100", "comment": "Terminé", "revision": "1"},
        headers={"HX-Request": "true"},
    )
    page = second.content.decode()
    assert "Someone else saved this action" in page
    assert "Current values: In progress, 20%." in page
    assert "Terminé</textarea>" in page
    cast.security.refresh_from_db()
    assert (cast.security.status, cast.security.progress) == (Status.IN_PROGRESS, 20)
    assert ActionUpdate.objects.filter(action=cast.security).count() == 1


def test_the_late_rule(cast):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    cases = {
        "late": (yesterday, Status.IN_PROGRESS),
        "blocked and late": (yesterday, Status.BLOCKED),
        "due today": (today, Status.PLANNED),
        "done": (yesterday, Status.DONE),
        "cancelled": (yesterday, Status.CANCELLED),
        "no date": (None, Status.PLANNED),
    }
    actions = {
        name: ActionFactory(plan=cast.plan, due_on=due, status=status, start_on=None)
        for name, (due, status) in cases.items()
    }
    annotated = {a.pk: a.is_late for a in action_selectors.with_late(Action.objects.all())}
    expected = {"late": True, "blocked and late": True}
    for name, action in actions.items():
        assert annotated[action.pk] is expected.get(name, False), name
        assert action_selectors.is_late(action) is expected.get(name, False), name


def test_late_badge_on_the_task_force_page(client, cast):
    Action.objects.filter(pk=cast.prevention.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(cast.association)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("taskforces:detail", args=[cast.taskforce.pk]))
    assert [a.pk for a in response.context["late"]] == [cast.prevention.pk]
    assert 'class="status status-late">late</span>' in response.content.decode()


# --- Escalations -----------------------------------------------------------------------------


def block(cast, action=None, by=None) -> Action:
    action = action or cast.security
    action_services.action_set_status(
        action=action,
        by=by or cast.police,
        revision=action.revision,
        status=Status.BLOCKED,
        progress=action.progress,
        comment="Pas d'effectifs",
    )
    action.refresh_from_db()
    return action


def test_only_a_blocked_action_is_escalated(cast):
    with pytest.raises(ValidationError):
        action_services.action_escalate(action=cast.security, by=cast.police, reason="Bloqué")


def test_escalation_and_resolution(client, cast, csir_analyst):
    block(cast)
    client.force_login(cast.police)
    url = reverse("taskforces:action_escalate", args=[cast.security.pk])
    assert client.post(url, {"reason": "La zone manque d'effectifs le soir."}).status_code == 302
    escalation = Escalation.objects.get(action=cast.security)
    # Only one open escalation at a time.
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "Encore"})
    assert Escalation.objects.filter(action=cast.security).count() == 1

    # Members do not resolve; the CSIR does, from its list.
    resolve = reverse("taskforces:escalation_resolve", args=[escalation.pk])
    assert client.post(resolve, {"resolution": "x"}).status_code == 403
    assert client.get(reverse("taskforces:escalations")).status_code == 403
    client.force_login(csir_analyst)
    listing = client.get(reverse("taskforces:escalations"))
    assert [e.pk for e in listing.context["escalations"]] == [escalation.pk]
    response = client.post(resolve, {"resolution": "Renfort de la police fédérale accordé."})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.resolved_by == csir_analyst and escalation.resolved_at
    assert escalation.resolution == "Renfort de la police fédérale accordé."
    assert client.get(reverse("taskforces:escalations")).context["escalations"] == []
    with pytest.raises(ValidationError):
        action_services.escalation_resolve(
            escalation=escalation, by=csir_analyst, resolution="Encore"
        )


def test_a_partner_cannot_escalate(client, cast):
    block(cast, cast.prevention, by=cast.association)
    client.force_login(cast.partner)
    url = reverse("taskforces:action_escalate", args=[cast.prevention.pk])
    assert client.post(url, {"reason": "Bloqué"}).status_code == 403
    # The coordinator may, for the task force.
    client.force_login(cast.coordinator)
    assert client.post(url, {"reason": "Bloqué"}).status_code == 302


def test_police_judicial_escalations_are_hidden_from_the_analyst(
    client, cast, csir_analyst, csir_coordinator
):
    block(cast, cast.secret)
    escalation = action_services.action_escalate(
        action=cast.secret, by=cast.police, reason="Secret"
    )
    client.force_login(csir_analyst)
    assert client.get(reverse("taskforces:escalations")).context["escalations"] == []
    resolve = reverse("taskforces:escalation_resolve", args=[escalation.pk])
    assert client.post(resolve, {"resolution": "x"}).status_code == 404
    client.force_login(csir_coordinator)
    listing = client.get(reverse("taskforces:escalations"))
    assert [e.pk for e in listing.context["escalations"]] == [escalation.pk]
