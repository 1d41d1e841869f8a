"""Task-force events reach the right people through the notification centre, and nobody
else; police-judicial actions are told only within their circle, and viewing them is audited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from coordination.audit.viewlog import VIEW_ACTION
from coordination.models import AuditEntry, Notification
from coordination.notifications.services import message, ref
from taskforces import notifications
from taskforces.models import Action, Membership, TaskForce
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
from tests.factories import UserFactory
from tests.factories_taskforces import Cast, MeetingFactory, member

pytestmark = pytest.mark.django_db

MIDI = {"taskforce": "HS10 Gare du Midi", "taskforce_nl": "HS10 Zuidstation"}


def told(kind: str) -> set[str]:
    """The usernames notified of ``kind``."""
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def only_params(kind: str) -> dict:
    """The params every notification of ``kind`` shares (they must all be the same)."""
    params = list(Notification.objects.filter(kind=kind).values_list("params", flat=True))
    assert params and all(p == params[0] for p in params)
    return params[0]


def only(kind: str) -> Notification:
    """The one notification of ``kind`` (there must be exactly one)."""
    (notice,) = Notification.objects.filter(kind=kind)
    return notice


def block(cast: Cast, action: Action) -> Action:
    action.refresh_from_db()
    action_services.action_set_status(
        action=action,
        by=cast.police,
        revision=action.revision,
        status=Action.Status.BLOCKED,
        progress=action.progress,
        comment="Pas d'effectifs",
    )
    action.refresh_from_db()
    return action


# --- Action plans ------------------------------------------------------------------------


def test_a_submitted_plan_is_told_to_the_csir_coordinator_only(cast, csir_coordinator):
    plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    assert Notification.objects.count() == 1
    notice = only("plan_submitted")
    assert notice.recipient == csir_coordinator
    assert notice.url == reverse("taskforces:plan", args=[cast.taskforce.pk])
    assert notice.params == MIDI
    with translation.override("nl"):
        assert "HS10 Zuidstation" in message(notice)


def test_an_incomplete_plan_tells_nobody(cast, csir_coordinator):
    cast.neighbourhood.delete()
    with pytest.raises(plan_services.PlanIncomplete):
        plan_services.plan_submit(
            version=plan_selectors.current_version(cast.plan), by=cast.coordinator
        )
    assert not Notification.objects.exists()


@pytest.mark.parametrize("decision", ["validate", "return"])
def test_the_review_is_told_to_the_chairs_and_coordinators(cast, csir_coordinator, decision):
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.chair
    )
    Notification.objects.all().delete()
    if decision == "validate":
        plan_services.plan_validate(version=version, by=csir_coordinator)
        kind = "plan_validated"
    else:
        plan_services.plan_return(version=version, by=csir_coordinator, comment="Précisez l'axe 2.")
        kind = "plan_returned"
    assert told(kind) == {cast.chair.username, cast.coordinator.username}
    assert Notification.objects.count() == 2
    assert {n.url for n in Notification.objects.all()} == {
        reverse("taskforces:plan", args=[cast.taskforce.pk])
    }
    assert only_params(kind) == MIDI


def test_an_inactive_chair_is_not_told(cast, csir_coordinator):
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.chair
    )
    cast.chair.is_active = False
    cast.chair.save(update_fields=["is_active"])
    plan_services.plan_validate(version=version, by=csir_coordinator)
    assert told("plan_validated") == {cast.coordinator.username}


# --- Escalations ---------------------------------------------------------------------------


def test_an_escalation_is_told_to_the_csir(cast, csir_coordinator, csir_analyst):
    block(cast, cast.security)
    action_services.action_escalate(action=cast.security, by=cast.police, reason="Effectifs")
    assert told("action_escalated") == {csir_coordinator.username, csir_analyst.username}
    assert Notification.objects.count() == 2
    # The action is named when read, in the reader's language (issue 12).
    assert only_params("action_escalated") == {**MIDI, "action": ref(cast.security, "title")}
    assert {n.url for n in Notification.objects.all()} == {
        reverse("taskforces:action", args=[cast.security.pk])
    }


def test_a_police_judicial_escalation_reaches_the_csir_coordinator_only(
    cast, csir_coordinator, csir_analyst
):
    block(cast, cast.secret)
    action_services.action_escalate(action=cast.secret, by=cast.police, reason="Secret")
    notice = only("action_escalated")
    # The coordinator sees police-judicial actions, so may read the title.
    assert notice.recipient == csir_coordinator
    assert notice.params["action"] == ref(cast.secret, "title")
    assert not Notification.objects.filter(recipient=csir_analyst).exists()
    assert not Notification.objects.exclude(recipient=csir_coordinator).exists()


def test_a_refused_escalation_tells_nobody(cast, csir_coordinator):
    with pytest.raises(ValidationError):
        action_services.action_escalate(action=cast.security, by=cast.police, reason="Pas bloquée")
    assert not Notification.objects.exists()


def test_a_resolution_is_told_to_the_lead_agency_members(cast, csir_analyst, csir_coordinator):
    colleague = UserFactory(username="police-colleague", agency=cast.police.agency)
    member(cast.taskforce, colleague, Membership.Role.OBSERVER)
    UserFactory(username="police-outside", agency=cast.police.agency)  # not a member
    block(cast, cast.security)
    escalation = action_services.action_escalate(action=cast.security, by=cast.police, reason="x")
    action_services.escalation_resolve(
        escalation=escalation, by=csir_analyst, resolution="Renfort."
    )
    assert told("escalation_resolved") == {cast.police.username, colleague.username}
    assert only_params("escalation_resolved") == {**MIDI, "action": ref(cast.security, "title")}
    assert {n.url for n in Notification.objects.filter(kind="escalation_resolved")} == {
        reverse("taskforces:action", args=[cast.security.pk])
    }


def test_a_police_judicial_resolution_stays_in_the_circle(cast, csir_coordinator, csir_analyst):
    block(cast, cast.secret)
    escalation = action_services.action_escalate(action=cast.secret, by=cast.police, reason="x")
    action_services.escalation_resolve(
        escalation=escalation, by=csir_coordinator, resolution="Fait."
    )
    assert told("escalation_resolved") == {cast.police.username}
    # Nobody outside the circle (nor the analyst) was ever told the title.
    outside = [cast.chair, cast.coordinator, cast.association, cast.partner, csir_analyst]
    assert not Notification.objects.filter(recipient__in=outside).exists()
    assert (
        not Notification.objects.filter(params__action=cast.secret.title)
        .exclude(recipient__in=[cast.police, csir_coordinator])
        .exists()
    )


def test_a_lead_agency_member_outside_the_circle_is_not_told_of_a_police_judicial_action(
    cast, csir_coordinator
):
    """The circle is the membership's agency: a non-circle membership is never told."""
    block(cast, cast.secret)
    escalation = action_services.action_escalate(action=cast.secret, by=cast.police, reason="x")
    # Should the lead of a police-judicial action ever be outside the circle, still nobody
    # outside hears of it.
    Action.objects.filter(pk=cast.secret.pk).update(lead_agency=cast.association.agency)
    escalation.refresh_from_db()
    action_services.escalation_resolve(
        escalation=escalation, by=csir_coordinator, resolution="Fait."
    )
    assert told("escalation_resolved") == set()


# --- Meetings ------------------------------------------------------------------------------


def test_a_scheduled_meeting_is_told_to_every_member(cast, csir_coordinator, csir_analyst):
    starts_at = timezone.now() + dt.timedelta(days=7)
    meeting = meeting_services.meeting_create(
        taskforce=cast.taskforce, by=cast.chair, starts_at=starts_at, place="Salle du conseil"
    )
    everyone = {
        cast.chair,
        cast.coordinator,
        cast.police,
        cast.association,
        cast.partner,
        cast.prosecutor,
    }
    assert told("meeting_scheduled") == {person.username for person in everyone}
    assert Notification.objects.count() == len(everyone)
    assert only_params("meeting_scheduled") == {
        **MIDI,
        "date": timezone.localdate(starts_at).isoformat(),
        "place": ref(meeting, "place"),
    }
    assert {n.url for n in Notification.objects.all()} == {
        reverse("taskforces:meeting", args=[meeting.pk])
    }


# --- The 30-day reminder -----------------------------------------------------------------


def test_the_no_meeting_reminder_is_a_notification_once_per_gap(
    cast, csir_coordinator, csir_analyst, mailoutbox
):
    MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=timezone.now() - dt.timedelta(days=40),
        created_by=cast.chair,
    )
    assert notifications.remind_no_meeting(timezone.now()) == 4
    assert told("no_meeting") == {
        cast.chair.username,
        cast.coordinator.username,
        csir_coordinator.username,
        csir_analyst.username,
    }
    assert only_params("no_meeting") == {**MIDI, "days": 40}
    assert {n.url for n in Notification.objects.all()} == {
        reverse("taskforces:detail", args=[cast.taskforce.pk])
    }
    # No direct e-mail: the centre mails each person as they chose, after commit.
    assert mailoutbox == []

    assert notifications.remind_no_meeting(timezone.now() + dt.timedelta(days=1)) == 0
    assert notifications.remind_no_meeting(timezone.now() + dt.timedelta(days=20)) == 0
    assert Notification.objects.filter(kind="no_meeting").count() == 4


def test_a_never_met_task_force_is_reminded_once(cast):
    TaskForce.objects.filter(pk=cast.taskforce.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    assert notifications.remind_no_meeting(timezone.now()) > 0
    first = Notification.objects.count()
    assert notifications.remind_no_meeting(timezone.now()) == 0
    assert Notification.objects.count() == first


# --- Who viewed police-judicial actions ----------------------------------------------------


def views() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=VIEW_ACTION).order_by("pk"))


def test_opening_a_police_judicial_action_is_recorded(client, cast, csir_coordinator):
    for person in (cast.police, csir_coordinator):
        client.force_login(person)
        assert client.get(reverse("taskforces:action", args=[cast.secret.pk])).status_code == 200
    entries = views()
    assert [entry.actor for entry in entries] == [cast.police, csir_coordinator]
    assert all(entry.police_judicial for entry in entries)
    assert {entry.target_id for entry in entries} == {str(cast.secret.pk)}


def test_ordinary_actions_and_refused_views_are_not_recorded(client, cast, csir_analyst):
    client.force_login(cast.police)
    assert client.get(reverse("taskforces:action", args=[cast.security.pk])).status_code == 200
    for outsider in (cast.association, csir_analyst):
        client.force_login(outsider)
        assert client.get(reverse("taskforces:action", args=[cast.secret.pk])).status_code == 404
    assert views() == []


def test_exporting_police_judicial_actions_is_recorded(client, cast):
    url = reverse("taskforces:plan_export", args=[cast.taskforce.pk])
    client.force_login(cast.association)  # the export leaves the secret action out
    assert client.get(url).status_code == 200
    assert views() == []
    client.force_login(cast.police)
    response = client.get(url)
    assert cast.secret.title in response.content.decode()
    (entry,) = views()
    assert entry.actor == cast.police and entry.police_judicial
    # The police-judicial action exported, and where (coordination.audit.viewlog).
    assert entry.target_id == str(cast.secret.pk)
    assert entry.changes == {"via": "plan_export"}
