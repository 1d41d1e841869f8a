"""django-guardian decides every task-force access: grants, removals, extra readers, actors."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from guardian.shortcuts import remove_perm

from coordination.models import AuditEntry, User
from hotspots.services import hotspots as hotspot_services
from taskforces import permissions
from taskforces.models import AccessGrant, Membership
from taskforces.services import actions as action_services
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, UserFactory, commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def fedasil(db) -> User:
    agency = AgencyFactory(name_fr="Fedasil", name_nl="Fedasil", kind="federal_administration")
    return UserFactory(username="fedasil-observer", agency=agency)


def pages(cast) -> list[str]:
    pk = cast.taskforce.pk
    return [
        reverse("taskforces:detail", args=[pk]),
        reverse("taskforces:plan", args=[pk]),
        reverse("taskforces:meetings", args=[pk]),
        reverse("taskforces:action", args=[cast.security.pk]),
    ]


def test_removing_the_guardian_permission_hides_the_task_force_despite_the_membership(client, cast):
    client.force_login(cast.association)
    assert all(client.get(url).status_code == 200 for url in pages(cast))

    remove_perm("taskforces.view_taskforce", cast.association, cast.taskforce)

    assert Membership.objects.filter(taskforce=cast.taskforce, user=cast.association).exists()
    assert all(client.get(url).status_code == 404 for url in pages(cast))
    listed = client.get(reverse("taskforces:list")).content.decode()
    assert reverse("taskforces:detail", args=[cast.taskforce.pk]) not in listed


def test_removing_the_circle_permission_hides_police_judicial_items(client, cast):
    client.force_login(cast.police)
    secret = reverse("taskforces:action", args=[cast.secret.pk])
    assert client.get(secret).status_code == 200
    remove_perm("taskforces.view_police_judicial", cast.police, cast.taskforce)
    assert client.get(secret).status_code == 404
    plan = client.get(reverse("taskforces:plan", args=[cast.taskforce.pk])).content.decode()
    assert cast.secret.title not in plan and cast.security.title in plan


def test_an_outsider_granted_read_access_sees_the_task_force_without_its_secrets(
    client, cast, fedasil, administrator
):
    client.force_login(fedasil)
    assert client.get(pages(cast)[0]).status_code == 404

    client.force_login(administrator)
    response = client.post(
        reverse("taskforces:access_grant", args=[cast.taskforce.pk]),
        {
            "grant-user": fedasil.pk,
            "grant-codename": "view_taskforce",
            "grant-reason": "Observateur Fedasil",
        },
    )
    assert response.status_code == 302
    grant = AccessGrant.objects.get(user=fedasil, revoked_at__isnull=True)
    entry = AuditEntry.objects.get(action="taskforce.access_grant")
    assert entry.actor == administrator and entry.changes["user"] == fedasil.username

    client.force_login(fedasil)
    for url in pages(cast):
        page = client.get(url)
        assert page.status_code == 200
        assert cast.secret.title not in page.content.decode()
    assert client.get(reverse("taskforces:action", args=[cast.secret.pk])).status_code == 404
    # A reader, not a member: nothing to act on.
    status_url = reverse("taskforces:action_status", args=[cast.security.pk])
    assert client.post(status_url, {"status": "done"}).status_code == 403

    # The members page says who can see the task force and why.
    client.force_login(cast.chair)
    members = client.get(reverse("taskforces:members", args=[cast.taskforce.pk]))
    viewers = {viewer.person: viewer for viewer in members.context["viewers"]}
    assert viewers[fedasil].grants == [grant] and not viewers[fedasil].police_judicial
    assert viewers[cast.police].police_judicial and not viewers[cast.association].police_judicial
    assert "Observateur Fedasil" in members.content.decode()

    client.force_login(administrator)
    client.post(reverse("taskforces:access_revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == administrator
    assert AuditEntry.objects.filter(action="taskforce.access_revoke").count() == 1
    client.force_login(fedasil)
    assert all(client.get(url).status_code == 404 for url in pages(cast))


def test_who_may_grant_access(client, cast, fedasil, administrator, outsider_person):
    url = reverse("taskforces:access_grant", args=[cast.taskforce.pk])
    data = {"grant-user": fedasil.pk, "grant-codename": "view_taskforce", "grant-reason": "x"}
    # A member sees the task force but does not grant access: 403; an outsider: 404.
    client.force_login(cast.chair)
    assert client.post(url, data).status_code == 403
    client.force_login(outsider_person)
    assert client.post(url, data).status_code == 404
    assert not AccessGrant.objects.exists()
    # The administrator manages access without seeing the task force's content.
    client.force_login(administrator)
    assert client.get(reverse("taskforces:members", args=[cast.taskforce.pk])).status_code == 200
    assert client.get(pages(cast)[0]).status_code == 404
    with pytest.raises(PermissionDenied):
        taskforce_services.access_grant(
            taskforce=cast.taskforce,
            user=fedasil,
            codename="view_taskforce",
            reason="x",
            by=cast.chair,
        )


@pytest.fixture
def outsider_person(db) -> User:
    return UserFactory(username="nobody", agency=AgencyFactory(name_fr="Ailleurs"))


def test_a_superuser_sees_no_task_force_and_no_secret(client, cast):
    boss = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(boss)
    assert all(client.get(url).status_code == 404 for url in pages(cast))
    assert not permissions.access_for(boss, cast.taskforce).sees_police_judicial


def test_every_service_checks_its_actor(cast, mayor_saint_gilles, csir_analyst):
    # Not the lead agency: refused even when called directly (admin, command, task).
    with pytest.raises(PermissionDenied):
        action_services.action_set_status(
            action=cast.security,
            by=cast.association,
            revision=cast.security.revision,
            status="in_progress",
            progress=10,
        )
    with pytest.raises(PermissionDenied):
        taskforce_services.membership_add(
            taskforce=cast.taskforce, user=cast.partner, role="member", by=cast.association
        )
    # A mayor proposes in their own commune only, whatever the form offered.
    with pytest.raises(ValidationError):
        hotspot_services.hotspot_propose(
            by=mayor_saint_gilles,
            code="HS77",
            name_fr="Ailleurs",
            name_nl="Elders",
            communes=[commune("21001")],
        )


def test_a_mayor_appointed_after_the_request_may_decide(csir_analyst):
    hotspot = hotspot_services.hotspot_propose(
        by=csir_analyst, code="HS66", name_fr="Place", name_nl="Plein", communes=[commune("21016")]
    )
    hotspot_services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    town = commune("21016")
    mayor = UserFactory(
        username="new-mayor",
        agency=AgencyFactory(name_fr="Commune d'Uccle", kind="commune", commune=town),
        role=User.Role.MAYOR,
        commune=town,
    )
    decision = hotspot_services.hotspot_decide(hotspot=hotspot, by=mayor, approve=True)
    assert decision.decided_by == mayor
    assert not permissions_of(mayor, hotspot)


def permissions_of(user, obj) -> set[str]:
    from guardian.shortcuts import get_user_perms

    return set(get_user_perms(user, obj))
