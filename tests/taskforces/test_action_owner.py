"""An action's owner: a person of its lead agency (issue 14, item 3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination.audit.models import AuditEntry
from taskforces.forms.actions import ActionForm, action_initial
from taskforces.models import Action, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def edit_data(action: Action, **changes) -> dict:
    data = {
        key: value
        for key, value in action_initial(action).items()
        if value is not None and key != "partner_agencies"
    }
    data["partner_agencies"] = [agency.pk for agency in action.partner_agencies.all()]
    data.update(changes)
    return {key: ("" if value is None else value) for key, value in data.items()}


@pytest.fixture
def colleague(cast):
    """Another active member of the police zone (the security action's lead agency)."""
    return UserFactory(
        username="police-2", first_name="Inès", last_name="Peeters", agency=cast.police.agency
    )


def test_the_form_offers_the_active_members_of_the_lead_agency_only(cast, colleague):
    UserFactory(username="police-retired", agency=cast.police.agency, is_active=False)
    form = ActionForm(initial=action_initial(cast.security))
    offered = {value for value, _label in form.fields["owner"].choices if value != ""}
    assert offered == {cast.police.pk, colleague.pk}


def test_the_lead_agency_sets_the_owner_audited_with_old_and_new(client, cast, colleague):
    client.force_login(cast.police)
    url = reverse("taskforces:action_edit", args=[cast.security.pk])
    response = client.post(url, edit_data(cast.security, owner=colleague.pk))
    assert response.status_code == 302
    cast.security.refresh_from_db()
    assert cast.security.owner == colleague
    entry = AuditEntry.objects.filter(action="action.update").latest("pk")
    assert entry.changes["owner"] == [None, str(colleague)]
    # Changed again: the old and the new person.
    response = client.post(url, edit_data(cast.security, owner=cast.police.pk))
    entry = AuditEntry.objects.filter(action="action.update").latest("pk")
    assert entry.changes["owner"] == [str(colleague), str(cast.police)]
    # Shown on the action page, the plan and its CSV export.
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert str(cast.police) in page.split('class="tf-owner"')[1][:200]
    plan = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk])).content.decode()
    assert f"owner: {cast.police}" in plan
    export = client.get(reverse("taskforces:plan_export", args=[cast.taskforce.pk]))
    lines = export.content.decode("utf-8-sig").splitlines()
    assert "Owner" in lines[0]
    assert any(str(cast.police) in line and "Patrouilles" in line for line in lines[1:])


def test_an_owner_outside_the_lead_agency_is_refused_with_a_clear_error(client, cast):
    client.force_login(cast.police)
    url = reverse("taskforces:action_edit", args=[cast.security.pk])
    response = client.post(url, edit_data(cast.security, owner=cast.association.pk))
    assert response.status_code == 200
    assert "is not an active member of the lead agency" in response.content.decode()
    cast.security.refresh_from_db()
    assert cast.security.owner is None
    # The services refuse it too, whoever calls them.
    with pytest.raises(ValidationError):
        action_services.action_update(
            action=cast.security,
            by=cast.police,
            revision=cast.security.revision,
            owner=cast.association,
        )
    with pytest.raises(ValidationError):
        action_services.action_create(
            plan=cast.plan,
            by=cast.coordinator,
            axis="prevention",
            title="Maraudes",
            lead_agency=cast.association.agency,
            owner=cast.police,
        )
    with pytest.raises(ValidationError):
        action_services.action_create(
            plan=cast.plan,
            by=cast.coordinator,
            axis="prevention",
            title="Maraudes",
            owner=cast.police,
        )


def test_changing_the_lead_agency_clears_an_owner_who_no_longer_fits(cast, colleague):
    action = action_services.action_update(
        action=cast.security, by=cast.chair, revision=cast.security.revision, owner=colleague
    )
    action = action_services.action_update(
        action=action,
        by=cast.chair,
        revision=action.revision,
        lead_agency=cast.association.agency,
        partner_agencies=[],
    )
    assert action.owner is None
    entry = AuditEntry.objects.filter(action="action.update").latest("pk")
    assert entry.changes["owner"] == [str(colleague), None]
    assert entry.changes["lead_agency"][1] == str(cast.association.agency)
    # With a new owner of the new lead agency in the same change: kept.
    action = action_services.action_update(
        action=action,
        by=cast.chair,
        revision=action.revision,
        lead_agency=cast.police.agency,
        owner=cast.police,
    )
    assert action.owner == cast.police


def test_the_form_revalidates_the_owner_when_the_lead_agency_changes(client, cast, colleague):
    action_services.action_update(
        action=cast.security, by=cast.chair, revision=cast.security.revision, owner=colleague
    )
    cast.security.refresh_from_db()
    client.force_login(cast.chair)
    url = reverse("taskforces:action_edit", args=[cast.security.pk])
    data = edit_data(cast.security, lead_agency=cast.association.agency.pk, partner_agencies=[])
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not an active member of the lead agency" in html
    # The list now offers the members of the agency chosen.
    assert f'value="{cast.association.pk}"' in html
    cast.security.refresh_from_db()
    assert cast.security.lead_agency == cast.police.agency
    data["owner"] = cast.association.pk
    assert client.post(url, data).status_code == 302
    cast.security.refresh_from_db()
    assert (cast.security.lead_agency, cast.security.owner) == (
        cast.association.agency,
        cast.association,
    )


def test_the_owner_is_no_plan_content_a_validated_plan_keeps_its_version(cast, csir_coordinator):
    from taskforces.services import plans as plan_services

    version = plan_selectors.current_version(cast.plan)
    plan_services.plan_submit(version=version, by=cast.coordinator)
    # While the CSIR reviews the plan, the owner can still be named.
    action = action_services.action_update(
        action=cast.security, by=cast.police, revision=cast.security.revision, owner=cast.police
    )
    assert action.owner == cast.police
    assert plan_selectors.current_version(cast.plan).state == PlanVersion.State.SUBMITTED
