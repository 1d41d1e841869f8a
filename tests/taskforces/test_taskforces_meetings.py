"""Task-force meetings: open points carried over, decisions, the calendar feed, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, Axis, Notification
from coordination.notifications.services import message
from taskforces import ical, notifications
from taskforces.models import Action, Meeting, MeetingDecision, MeetingPoint, TaskForce
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from taskforces.tasks import remind_no_meeting
from tests.factories_taskforces import MeetingFactory, MeetingPointFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


# --- Meetings ----------------------------------------------------------------------------


def test_open_points_carry_over_to_the_next_meeting(cast):
    first = MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(20), created_by=cast.chair)
    still_open = MeetingPointFactory(meeting=first, title="Éclairage du passage")
    MeetingPointFactory(meeting=first, title="Budget voté", is_open=False)
    meeting = meeting_services.meeting_create(
        taskforce=cast.taskforce,
        by=cast.coordinator,
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Maison de quartier",
    )
    (carried,) = meeting.points.all()
    assert carried.title == "Éclairage du passage" and carried.carried_from == still_open
    assert carried.is_open


def test_schedule_a_meeting_through_the_pages(client, cast):
    MeetingPointFactory(
        meeting=MeetingFactory(
            taskforce=cast.taskforce, starts_at=days_ago(30), created_by=cast.chair
        ),
        title="Caméras",
    )
    client.force_login(cast.coordinator)
    client.cookies.load({"django_language": "en"})
    response = client.post(
        reverse("taskforces:meeting_new", args=[cast.taskforce.pk]),
        {"starts_at": "2030-05-14T18:30", "place": "Hôtel de ville", "agenda": "1. Plan"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(place="Hôtel de ville")
    assert timezone.localtime(meeting.starts_at).hour == 18
    page = client.get(reverse("taskforces:meeting", args=[meeting.pk])).content.decode()
    assert "Caméras" in page and "carried over from" in page


def test_minutes_attendance_points_and_decisions(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(1), created_by=cast.chair)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("taskforces:meeting_edit", args=[meeting.pk]),
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "place": meeting.place,
            "agenda": meeting.agenda,
            "minutes": "Tour de table; point sur les patrouilles.",
            "attendees": [cast.police.pk, cast.association.pk],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("Tour de table")
    attended = meeting.participants.filter(status="attended")
    assert {row.user for row in attended} == {cast.police, cast.association}

    client.post(reverse("taskforces:meeting_point_add", args=[meeting.pk]), {"title": "Caméras"})
    point = MeetingPoint.objects.get(meeting=meeting, title="Caméras")
    client.post(reverse("taskforces:meeting_point_toggle", args=[point.pk]))
    point.refresh_from_db()
    assert not point.is_open

    # A decision that changes an action, and one that creates an action.
    url = reverse("taskforces:meeting_decision_add", args=[meeting.pk])
    client.post(url, {"text": "Prolonger les maraudes", "action": cast.prevention.pk})
    client.post(
        url,
        {
            "text": "Organiser une fête de quartier",
            "new_action_title": "Fête de quartier",
            "new_action_axis": Axis.NEIGHBOURHOOD,
        },
    )
    decisions = list(MeetingDecision.objects.filter(meeting=meeting).order_by("pk"))
    assert decisions[0].action == cast.prevention
    assert decisions[1].action.title == "Fête de quartier"
    assert decisions[1].action.plan == cast.plan
    action_page = client.get(reverse("taskforces:action", args=[cast.prevention.pk]))
    assert "Prolonger les maraudes" in action_page.content.decode()


def test_only_members_can_be_marked_present(cast, cores_member):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    with pytest.raises(ValidationError):
        meeting_services.meeting_update(meeting=meeting, by=cast.chair, attendees=[cores_member])


def test_plain_members_do_not_run_meetings(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    client.force_login(cast.association)
    assert client.get(reverse("taskforces:meeting", args=[meeting.pk])).status_code == 200
    for url in (
        reverse("taskforces:meeting_new", args=[cast.taskforce.pk]),
        reverse("taskforces:meeting_edit", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("taskforces:meeting_decision_add", args=[meeting.pk]), {"text": "x"}
    )
    assert response.status_code == 403
    assert not MeetingDecision.objects.exists()


def test_a_decision_cannot_link_another_task_forces_action(cast, hotspot_molenbeek, csir_analyst):
    other = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    foreign = action_services.action_create(
        plan=plan_services.plan_open(taskforce=other), by=csir_analyst, axis="security", title="x"
    )
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    with pytest.raises(ValidationError):
        meeting_services.meeting_decision_add(
            meeting=meeting, by=cast.chair, text="x", action=foreign
        )


# --- The iCalendar feed ---------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_feed(client, cast):
    MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=dt.datetime(2030, 3, 5, 17, 30, tzinfo=dt.UTC),
        place="Salle 1, Hôtel de ville; 2e étage",
        agenda="Points: caméras, éclairage\nDivers",
        created_by=cast.chair,
    )
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(40), created_by=cast.chair)
    client.force_login(cast.association)
    response = client.get(reverse("taskforces:calendar", args=[cast.taskforce.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    lines = unfold(text)
    assert lines.count("BEGIN:VEVENT") == 2 and lines.count("END:VEVENT") == 2
    assert "VERSION:2.0" in lines
    assert "DTSTART:20300305T173000Z" in lines
    assert "DTEND:20300305T193000Z" in lines
    assert "LOCATION:Salle 1\\, Hôtel de ville\\; 2e étage" in lines
    assert "DESCRIPTION:Points: caméras\\, éclairage\\nDivers" in lines
    assert any(line.startswith("UID:taskforce-meeting-") for line in lines)


def test_calendar_lines_fold_at_75_octets_without_splitting_characters(cast):
    # The icalendar library folds and escapes now (taskforces/ical.py): checked on its output.
    meeting = MeetingFactory(
        taskforce=cast.taskforce, agenda="é" * 100 + "\na\\b;c,d", created_by=cast.chair
    )
    text = ical.calendar(
        name="x", entries=[ical.Entry(meeting)], url_for=lambda m: "https://x/", host="x"
    ).decode("utf-8")
    parts = text.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert "DESCRIPTION:" + "é" * 100 + "\\na\\\\b\\;c\\,d" in unfold(text)


def test_calendar_is_for_members_only(client, cast, cores_member):
    client.force_login(cores_member)
    assert client.get(reverse("taskforces:calendar", args=[cast.taskforce.pk])).status_code == 404


# --- The 30-day reminder ----------------------------------------------------------------------


def reminded() -> list[str]:
    """Who received the no-meeting reminder, by username (one entry per notification)."""
    return sorted(
        Notification.objects.filter(kind="no_meeting").values_list("recipient__username", flat=True)
    )


def test_reminder_after_thirty_days_without_a_meeting(cast, csir_coordinator):
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(31), created_by=cast.chair)
    sent = notifications.remind_no_meeting(timezone.now())
    # The chair, the coordinator, and the CSIR (coordinator and analyst).
    assert reminded() == sorted(
        [cast.chair.username, cast.coordinator.username, csir_coordinator.username, "analyst"]
    )
    assert sent == 4
    assert cast.police.username not in reminded()
    assert AuditEntry.objects.filter(action=notifications.REMINDER_ACTION).count() == 1

    # Once per gap: the next days tell nobody.
    assert notifications.remind_no_meeting(timezone.now() + dt.timedelta(days=1)) == 0
    assert len(reminded()) == 4


def test_a_new_meeting_opens_a_new_gap(cast):
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(45), created_by=cast.chair)
    first = notifications.remind_no_meeting(timezone.now())
    assert first > 0
    # They met; thirty days later, a new reminder is due.
    MeetingFactory(taskforce=cast.taskforce, starts_at=timezone.now(), created_by=cast.chair)
    assert notifications.remind_no_meeting(timezone.now() + dt.timedelta(days=10)) == 0
    assert notifications.remind_no_meeting(timezone.now() + dt.timedelta(days=31)) == first
    assert len(reminded()) == 2 * first


def test_no_reminder_for_recent_or_scheduled_meetings(cast):
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(10), created_by=cast.chair)
    assert notifications.remind_no_meeting(timezone.now()) == 0
    Meeting.objects.all().delete()
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(40), created_by=cast.chair)
    MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=timezone.now() + dt.timedelta(days=5),
        created_by=cast.chair,
    )
    assert notifications.remind_no_meeting(timezone.now()) == 0
    assert reminded() == []


def test_a_task_force_that_never_met(cast):
    TaskForce.objects.filter(pk=cast.taskforce.pk).update(created_at=days_ago(35))
    assert notifications.remind_no_meeting(timezone.now()) > 0
    notice = Notification.objects.filter(kind="no_meeting").first()
    assert "HS10" in message(notice) and "35" in message(notice)


def test_reminder_task_and_schedule(cast, settings):
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(31), created_by=cast.chair)
    assert remind_no_meeting.delay().get() > 0
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "taskforces.remind_no_meeting"
    )
    assert entry["schedule"] is not None


def test_closed_hotspots_are_not_reminded(cast):
    from hotspots.models import Hotspot

    Hotspot.objects.filter(pk=cast.taskforce.hotspot_id).update(status=Hotspot.Status.CLOSED)
    MeetingFactory(taskforce=cast.taskforce, starts_at=days_ago(60), created_by=cast.chair)
    assert notifications.remind_no_meeting(timezone.now()) == 0


def test_police_judicial_actions_leave_no_trace_in_decisions_for_outsiders(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    meeting_services.meeting_decision_add(
        meeting=meeting, by=cast.chair, text="Suivi", action=cast.secret
    )
    client.force_login(cast.association)
    response = client.get(reverse("taskforces:meeting", args=[meeting.pk]))
    (decision,) = response.context["decisions"]
    assert decision.visible_action is None
    assert reverse("taskforces:action", args=[cast.secret.pk]) not in response.content.decode()
    assert Action.objects.filter(pk=cast.secret.pk).exists()
