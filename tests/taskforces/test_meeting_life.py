"""Meetings as their users know them: invitations with a calendar file, who is invited,
excused or present, minutes that become final (and corrections as new versions),
cancellation with a reason, points that move (one open copy), decisions whose action waits
for the plan's review, and no "meeting" notice for a meeting already held."""

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, Axis
from coordination.notifications.models import Notification
from taskforces import notifications
from taskforces.models import (
    Action,
    Meeting,
    MeetingDecision,
    MeetingMinutes,
    MeetingParticipant,
    MeetingPoint,
    PlanVersion,
)
from taskforces.selectors.plans import current_version
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from tests.factories_taskforces import MeetingFactory, MeetingPointFactory

pytestmark = pytest.mark.django_db

Status = MeetingParticipant.Status


def soon(days: int = 7) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _schedule(cast, starts_at=None, **kw) -> Meeting:
    return meeting_services.meeting_create(
        taskforce=cast.taskforce,
        by=cast.coordinator,
        starts_at=starts_at or soon(),
        place="Maison communale",
        agenda="1. Suivi du plan",
        **kw,
    )


def _ics(message) -> icalendar.Calendar:
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


# --- Invitations --------------------------------------------------------------------------


def test_an_invitation_mail_carries_a_valid_ics(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    starts_at = soon(10)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(cast, starts_at=starts_at)
    # Every active member is invited, and told by e-mail with the calendar invitation.
    invited = set(meeting.participants.values_list("user__username", flat=True))
    assert invited == {
        person.username
        for person in (
            cast.chair,
            cast.coordinator,
            cast.police,
            cast.association,
            cast.partner,
            cast.prosecutor,
        )
    }
    assert set(meeting.participants.values_list("status", flat=True)) == {Status.INVITED}
    assert {message.to[0] for message in mailoutbox} == {f"{name}@example.test" for name in invited}
    message = next(m for m in mailoutbox if m.to == [cast.police.email])
    cal = _ics(message)
    assert str(cal["METHOD"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    uid = str(event["UID"])
    assert uid.startswith(f"taskforce-meeting-{meeting.pk}@")
    assert event.decoded("DTSTART") == starts_at.astimezone(dt.UTC)
    assert event.decoded("DTEND") == starts_at.astimezone(dt.UTC) + dt.timedelta(hours=2)
    assert str(event["ATTENDEE"]) == f"mailto:{cast.police.email}"
    assert str(event["ORGANIZER"]) == f"mailto:{cast.coordinator.email}"
    assert str(event["LOCATION"]) == "Maison communale"
    # Never a police-judicial action, nor any decision, in a mail.
    assert cast.secret.title not in message.body and cast.secret.title not in str(cal.to_ical())

    # Moved: an updated REQUEST, same UID, higher SEQUENCE.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_update(meeting=meeting, by=cast.coordinator, starts_at=soon(12))
    moved = _ics(next(m for m in mailoutbox if m.to == [cast.police.email]))
    [event2] = moved.walk("VEVENT")
    assert str(moved["METHOD"]) == "REQUEST" and str(event2["UID"]) == uid
    assert int(event2["SEQUENCE"]) > int(event["SEQUENCE"])
    assert Notification.objects.filter(kind="meeting_moved").count() == 6


def test_no_ics_for_someone_who_may_not_see_the_meeting(cast, cores_member):
    _schedule(cast)
    notice = Notification.objects.filter(kind="meeting_scheduled").first()
    assert notice is not None and notifications.meeting_invitation(notice)
    stranger = Notification(recipient=cores_member, kind=notice.kind, params=notice.params)
    assert notifications.meeting_invitation(stranger) == []


def test_a_member_sends_apologies_before_the_meeting(client, cast):
    meeting = _schedule(cast)
    client.force_login(cast.association)
    response = client.post(reverse("taskforces:meeting_excuse", args=[meeting.pk]))
    assert response.status_code == 302
    row = meeting.participants.get(user=cast.association)
    assert row.status == Status.EXCUSED and row.recorded_by == cast.association
    assert row.responded_at is not None
    # After it began: refused.
    held = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(1), created_by=cast.chair)
    with pytest.raises(ValidationError):
        meeting_services.meeting_excuse(meeting=held, by=cast.association)


def test_attendance_is_marked_after_the_meeting_only(cast):
    meeting = _schedule(cast)
    with pytest.raises(ValidationError):
        meeting_services.meeting_attendance_set(
            meeting=meeting, by=cast.coordinator, attended=[cast.police]
        )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=ago(1))
    meeting.refresh_from_db()
    meeting_services.meeting_attendance_set(
        meeting=meeting, by=cast.coordinator, attended=[cast.police, cast.association]
    )
    statuses = dict(meeting.participants.values_list("user__username", "status"))
    assert statuses[cast.police.username] == Status.ATTENDED
    assert statuses[cast.partner.username] == Status.INVITED
    entry = AuditEntry.objects.get(action="meeting.attendance")
    assert entry.changes["attendees"][1] == sorted(
        [cast.police.username, cast.association.username]
    )


# --- Minutes ------------------------------------------------------------------------------


def test_final_minutes_refuse_edits_and_a_correction_is_version_two(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(2), created_by=cast.chair)
    meeting_services.minutes_save(meeting=meeting, by=cast.coordinator, text="Tour de table.")
    final = meeting_services.minutes_finalise(meeting=meeting, by=cast.coordinator)
    assert final.number == 1 and final.status == MeetingMinutes.Status.FINAL
    assert final.finalised_by == cast.coordinator

    # The service refuses, whoever calls it.
    with pytest.raises(ValidationError, match="final"):
        meeting_services.minutes_save(meeting=meeting, by=cast.coordinator, text="Autre chose")
    with pytest.raises(ValidationError):
        meeting_services.meeting_update(meeting=meeting, by=cast.coordinator, minutes="Autre")

    # Over HTTP too: the edit page shows the minutes locked, a forged post changes nothing.
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    url = reverse("taskforces:meeting_edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "final and locked" in page
    response = client.post(
        url,
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "place": meeting.place,
            "agenda": meeting.agenda,
            "language": "fr",
            "minutes": "Réécrit en douce",
        },
    )
    assert response.status_code == 302
    final.refresh_from_db()
    assert final.text == "Tour de table."
    meeting.refresh_from_db()
    assert meeting.minutes == "Tour de table."

    # A correction opens version 2 from the final text; version 1 stays as it was.
    response = client.post(reverse("taskforces:meeting_minutes_correct", args=[meeting.pk]))
    assert response.status_code == 302
    meeting_services.minutes_save(
        meeting=meeting, by=cast.coordinator, text="Tour de table. Correction : 12 présents."
    )
    client.post(reverse("taskforces:meeting_minutes_final", args=[meeting.pk]))
    versions = list(meeting.minutes_versions.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "final"), (2, "final")]
    assert versions[0].text == "Tour de table."
    page = client.get(reverse("taskforces:meeting", args=[meeting.pk])).content.decode()
    assert "Correction : 12 présents." in page and "Earlier final versions" in page


def test_a_plain_member_cannot_finalise_or_correct(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(2), created_by=cast.chair)
    meeting_services.minutes_save(meeting=meeting, by=cast.coordinator, text="Brouillon")
    client.force_login(cast.association)
    for name in ("meeting_minutes_final", "meeting_minutes_correct", "meeting_cancel"):
        assert client.post(reverse(f"taskforces:{name}", args=[meeting.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        meeting_services.minutes_finalise(meeting=meeting, by=cast.association)
    assert meeting.minutes_versions.get().status == MeetingMinutes.Status.DRAFT


def test_outsiders_get_404(client, cast, cores_member):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    client.force_login(cores_member)
    for name in (
        "meeting",
        "meeting_cancel",
        "meeting_excuse",
        "meeting_minutes_final",
        "meeting_minutes_correct",
    ):
        method = client.get if name in ("meeting", "meeting_cancel") else client.post
        assert method(reverse(f"taskforces:{name}", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("taskforces:meeting_excuse", args=[999999])).status_code == 404
    client.force_login(cast.association)
    assert client.get(reverse("taskforces:meeting_excuse", args=[meeting.pk])).status_code == 405


# --- Dates and cancellation --------------------------------------------------------------


def test_a_meeting_in_1900_is_refused_with_a_form_error(client, cast):
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    response = client.post(
        reverse("taskforces:meeting_new", args=[cast.taskforce.pk]),
        {"starts_at": "1900-01-01T10:00", "place": "Nulle part", "language": "fr"},
    )
    assert response.status_code == 200
    assert "A meeting must be dated between" in response.content.decode()
    assert not Meeting.objects.filter(place="Nulle part").exists()


def test_cancellation_with_a_reason_notifies_and_is_audited(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = _schedule(cast)
    meeting_services.meeting_excuse(meeting=meeting, by=cast.partner)
    client.force_login(cast.coordinator)
    url = reverse("taskforces:meeting_cancel", args=[meeting.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200  # the reason is required
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Salle indisponible"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled_at and meeting.cancelled_by == cast.coordinator
    assert meeting.cancel_reason == "Salle indisponible"
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # never deleted
    entry = AuditEntry.objects.get(action="meeting.cancel")
    assert entry.changes == {"reason": "Salle indisponible"} and entry.actor == cast.coordinator
    told = Notification.objects.filter(kind="meeting_cancelled")
    assert told.count() == 6  # every participant, the excused one too
    cal = _ics(next(m for m in mailoutbox if m.to == [cast.police.email]))
    assert str(cal["METHOD"]) == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]).startswith(f"taskforce-meeting-{meeting.pk}@")
    # Cancelled once: a second cancellation and any change are refused.
    with pytest.raises(ValidationError):
        meeting_services.meeting_cancel(meeting=meeting, by=cast.coordinator, reason="Encore")
    with pytest.raises(ValidationError):
        meeting_services.meeting_update(meeting=meeting, by=cast.coordinator, place="Ailleurs")


def test_a_legacy_1900_meeting_can_be_cancelled(cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC)
    )
    meeting.refresh_from_db()
    meeting_services.meeting_cancel(meeting=meeting, by=cast.chair, reason="Date erronée")
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    assert not Notification.objects.filter(kind="meeting_cancelled").exists()


# --- Points that move --------------------------------------------------------------------


def test_carry_over_leaves_one_open_copy(client, cast):
    first = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(20), created_by=cast.chair)
    point = MeetingPointFactory(meeting=first, title="Éclairage du passage")
    second = _schedule(cast, starts_at=soon(5))
    (copy,) = second.points.all()
    point.refresh_from_db()
    assert copy.carried_from == point and copy.is_open and not point.is_open

    # A third meeting before the second cannot take the point again; after, it moves on.
    third = _schedule(cast, starts_at=soon(30))
    open_copies = MeetingPoint.objects.filter(title="Éclairage du passage", is_open=True)
    assert list(open_copies) == list(third.points.all())
    copy.refresh_from_db()
    assert not copy.is_open and copy.carried_to.get().meeting == third

    # Carrying twice is refused (service and constraint).
    with pytest.raises(ValidationError):
        meeting_services.meeting_point_carry(point=copy, by=cast.coordinator, to=third)
    with pytest.raises(ValidationError):
        meeting_services.meeting_point_carry(point=point, by=cast.coordinator, to=third)

    # The history is kept; an earlier copy is closed where it lives now.
    with pytest.raises(ValidationError):
        meeting_services.meeting_point_set_open(point=point, by=cast.coordinator, is_open=True)
    last = third.points.get()
    client.force_login(cast.coordinator)
    client.post(reverse("taskforces:meeting_point_toggle", args=[last.pk]))
    assert not MeetingPoint.objects.filter(title="Éclairage du passage", is_open=True).exists()
    assert MeetingPoint.objects.filter(title="Éclairage du passage").count() == 3


def test_a_point_moves_to_the_next_meeting_by_hand(client, cast):
    meeting = _schedule(cast, starts_at=soon(3))
    later = _schedule(cast, starts_at=soon(20))
    point = meeting_services.meeting_point_add(meeting=meeting, by=cast.coordinator, title="Bancs")
    client.force_login(cast.coordinator)
    url = reverse("taskforces:meeting_point_carry", args=[point.pk])
    response = client.post(url, {"to": later.pk})
    assert response.status_code == 302
    assert later.points.get(title="Bancs").is_open
    response = client.post(url, {"to": later.pk})
    assert later.points.filter(title="Bancs").count() == 1
    assert client.post(url, {"to": "x"}).status_code == 404


# --- Decisions while the plan is under review ------------------------------------------


def _submit(cast) -> PlanVersion:
    return plan_services.plan_submit(version=current_version(cast.plan), by=cast.coordinator)


def test_a_pending_decision_becomes_an_action_when_the_plan_is_validated(
    client, cast, csir_coordinator
):
    version = _submit(cast)
    meeting = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(1), created_by=cast.chair)
    client.force_login(cast.coordinator)
    due = timezone.localdate() + dt.timedelta(days=60)
    response = client.post(
        reverse("taskforces:meeting_decision_add", args=[meeting.pk]),
        {
            "text": "Organiser une fête de quartier",
            "new_action_title": "Fête de quartier",
            "new_action_axis": Axis.NEIGHBOURHOOD,
            "new_action_lead_agency": cast.commune.pk,
            "new_action_due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    decision = MeetingDecision.objects.get(meeting=meeting)
    assert decision.action is None and decision.action_pending
    assert decision.proposed_title == "Fête de quartier"
    assert not Action.objects.filter(title="Fête de quartier").exists()
    for url in (
        reverse("taskforces:meeting", args=[meeting.pk]),
        reverse("taskforces:plan", args=[cast.taskforce.pk]),
    ):
        assert "Fête de quartier" in client.get(url).content.decode()
    # The button cannot create it yet.
    client.post(reverse("taskforces:pending_actions_create", args=[cast.taskforce.pk]))
    assert not Action.objects.filter(title="Fête de quartier").exists()

    plan_services.plan_validate(version=version, by=csir_coordinator)
    decision.refresh_from_db()
    action = Action.objects.get(title="Fête de quartier")
    assert decision.action == action and not decision.action_pending
    assert action.axis == Axis.NEIGHBOURHOOD and action.lead_agency == cast.commune
    assert action.due_on == due and action.plan == cast.plan
    assert AuditEntry.objects.filter(action="meeting.pending_action").count() == 1


def test_the_coordinator_creates_the_pending_actions_after_a_return(client, cast, csir_coordinator):
    version = _submit(cast)
    meeting = MeetingFactory(taskforce=cast.taskforce, starts_at=ago(1), created_by=cast.chair)
    meeting_services.meeting_decision_add(
        meeting=meeting,
        by=cast.coordinator,
        text="Installer des bancs",
        new_action={"title": "Bancs publics", "axis": Axis.NEIGHBOURHOOD},
    )
    # The author lost the right meanwhile: the review leaves it pending.
    taskforce_services.membership_remove(
        membership=cast.taskforce.memberships.get(user=cast.coordinator), by=csir_coordinator
    )
    plan_services.plan_return(version=version, by=csir_coordinator, comment="À revoir")
    assert MeetingDecision.objects.get().action_pending
    client.force_login(cast.chair)
    response = client.post(
        reverse("taskforces:pending_actions_create", args=[cast.taskforce.pk]),
        {"meeting": meeting.pk},
    )
    assert response.status_code == 302 and response.url.endswith(f"/meetings/{meeting.pk}/")
    assert MeetingDecision.objects.get().action.title == "Bancs publics"
    client.force_login(cast.association)
    url = reverse("taskforces:pending_actions_create", args=[cast.taskforce.pk])
    assert client.post(url).status_code == 403


# --- No "meeting" notice for a meeting already held or cancelled ------------------------


def test_no_notice_for_a_meeting_already_held(cast):
    _schedule(cast, starts_at=ago(3))
    assert not Notification.objects.filter(kind="meeting_scheduled").exists()
    assert MeetingParticipant.objects.count() == 6  # still invited, for the attendance


def test_a_cancelled_meeting_neither_counts_as_held_nor_as_to_come(cast):
    # Held 40 days ago; a meeting next week would silence the reminder, unless cancelled.
    MeetingFactory(taskforce=cast.taskforce, starts_at=ago(40), created_by=cast.chair)
    upcoming = _schedule(cast, starts_at=soon(7))
    assert notifications.remind_no_meeting(timezone.now()) == 0
    meeting_services.meeting_cancel(meeting=upcoming, by=cast.chair, reason="Grève")
    assert notifications.remind_no_meeting(timezone.now()) > 0
