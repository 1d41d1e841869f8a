"""A person's secret calendar address: the feed calendar apps poll without a session, and
the page where the person creates, renews and revokes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from coordination.audit.models import AuditEntry
from coordination.people import calendar as feed_secrets
from coordination.people.models import CalendarFeed
from taskforces.models import Meeting, MeetingDecision, Membership
from taskforces.services import calendar as calendar_services
from taskforces.services import taskforces as taskforce_services
from taskforces.services.taskforces import taskforce_open
from tests.factories import HotspotFactory
from tests.factories_taskforces import MeetingFactory, member

pytestmark = pytest.mark.django_db
BRUSSELS = dt.timezone(dt.timedelta(hours=1))


def address(user) -> str:
    """A new address for ``user``, as the page gives it: the token."""
    _feed, token = calendar_services.calendar_feed_create(user=user)
    return token


def fetch(token: str):
    """The feed as a calendar app gets it: a fresh client, no cookie, no session."""
    return Client().get(reverse("calendar:feed", args=[token]))


def events(response) -> dict[str, icalendar.Event]:
    """The VEVENTs of a feed, by SUMMARY + DTSTART (parsed with icalendar)."""
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def uid(meeting: Meeting) -> str:
    return f"taskforce-meeting-{meeting.pk}@testserver"


@pytest.fixture
def other_taskforce(hotspot_molenbeek, csir_analyst):
    return taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)


@pytest.fixture
def meetings(cast, other_taskforce):
    """A meeting of the cast's task force with a police-judicial decision, and one of
    another task force."""
    ours = MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=dt.datetime(2030, 3, 5, 18, 30, tzinfo=BRUSSELS),
        place="Salle 1, Hôtel de ville",
        agenda="Caméras; éclairage",
        created_by=cast.chair,
    )
    MeetingDecision.objects.create(
        meeting=ours, text="Renforcer l'enquête", action=cast.secret, created_by=cast.chair
    )
    MeetingDecision.objects.create(
        meeting=ours, text="Patrouilles le soir", action=cast.security, created_by=cast.chair
    )
    theirs = MeetingFactory(
        taskforce=other_taskforce, place="Maison communale de Molenbeek", created_by=cast.chair
    )
    return ours, theirs


# --- The feed -------------------------------------------------------------------------------


def test_feed_is_an_icalendar_of_the_persons_meetings_only(cast, meetings):
    ours, theirs = meetings
    cast.association.preferred_language = "nl"
    cast.association.save(update_fields=["preferred_language"])
    response = fetch(address(cast.association))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "safe.brussels" in str(cal["PRODID"])
    with translation.override("nl"):
        assert str(cal["X-WR-CALNAME"]) == _("My task-force meetings")
    found = events(response)
    assert uid(theirs) not in found  # not the other task force's meeting
    assert set(found) == {uid(ours)}
    event = found[uid(ours)]
    assert event.decoded("DTSTART") == dt.datetime(2030, 3, 5, 17, 30, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2030, 3, 5, 19, 30, tzinfo=dt.UTC)
    assert str(event["LOCATION"]) == "Salle 1, Hôtel de ville"
    assert "HS10" in str(event["SUMMARY"])
    assert str(event["DESCRIPTION"]).startswith("Caméras; éclairage")
    assert str(event["URL"]) == f"http://testserver/taskforces/meetings/{ours.pk}/"
    assert "DTSTAMP" in event and "SEQUENCE" in event


def test_the_subscription_never_names_a_police_judicial_action(cast, meetings):
    ours, _theirs = meetings
    outside = str(events(fetch(address(cast.association)))[uid(ours)]["DESCRIPTION"])
    # As on the meeting page: the decisions are the task force's, the confidential action
    # they name is not.
    assert "Renforcer l'enquête" in outside and "Patrouilles le soir" in outside
    assert cast.security.title in outside
    assert cast.secret.title not in outside

    # Calendar servers keep what the address says: not even the circle gets the title
    # there, so no view of it is logged either.
    inside = str(events(fetch(address(cast.police)))[uid(ours)]["DESCRIPTION"])
    assert "Renforcer l'enquête" in inside and cast.security.title in inside
    assert cast.secret.title not in inside
    assert not AuditEntry.objects.filter(action="view").exists()


def test_the_task_force_feed_filters_and_logs_the_same_way(client, cast, meetings):
    ours, _theirs = meetings
    url = reverse("taskforces:calendar", args=[cast.taskforce.pk])
    client.force_login(cast.association)
    assert cast.secret.title not in str(events(client.get(url))[uid(ours)]["DESCRIPTION"])
    client.force_login(cast.prosecutor)
    assert cast.secret.title in str(events(client.get(url))[uid(ours)]["DESCRIPTION"])
    views = AuditEntry.objects.filter(action="view", police_judicial=True)
    assert [(v.actor, v.target_id) for v in views] == [(cast.prosecutor, str(cast.secret.pk))]


def test_the_csir_sees_every_task_force(cast, meetings, csir_analyst, csir_coordinator):
    ours, theirs = meetings
    for person in (csir_analyst, csir_coordinator):
        found = events(fetch(address(person)))
        assert set(found) == {uid(ours), uid(theirs)}
        assert cast.secret.title not in str(found[uid(ours)]["DESCRIPTION"])


def test_no_session_no_cookie_and_no_cache(cast, meetings):
    client = Client()
    response = client.get(reverse("calendar:feed", args=[address(cast.association)]))
    assert response.status_code == 200
    assert not response.cookies
    assert not client.cookies
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache


def test_unknown_malformed_revoked_and_renewed_addresses_answer_404(cast, meetings):
    assert fetch(feed_secrets.new_token()).status_code == 404
    assert fetch("not-a-token").status_code == 404
    assert fetch("x" * 200).status_code == 404

    first = address(cast.association)
    assert fetch(first).status_code == 200
    _feed, second = calendar_services.calendar_feed_renew(user=cast.association)
    assert fetch(first).status_code == 404
    assert fetch(second).status_code == 200
    calendar_services.calendar_feed_revoke(user=cast.association)
    response = fetch(second)
    assert response.status_code == 404
    assert not response.cookies


def test_the_token_is_never_stored_in_clear(cast, meetings):
    token = address(cast.association)
    fetch(token)
    _feed, renewed = calendar_services.calendar_feed_renew(user=cast.association)
    calendar_services.calendar_feed_revoke(user=cast.association)
    rows = list(CalendarFeed.objects.values())
    assert {row["token_hash"] for row in rows} == {
        hashlib.sha256(token.encode()).hexdigest(),
        hashlib.sha256(renewed.encode()).hexdigest(),
    }
    entries = list(AuditEntry.objects.filter(action__startswith="calendar_feed.").values())
    assert [entry["action"] for entry in reversed(entries)] == [
        "calendar_feed.create",
        "calendar_feed.revoke",
        "calendar_feed.renew",
        "calendar_feed.revoke",
    ]
    everything = repr(rows) + repr(entries)
    for secret in (token, renewed):
        assert secret not in everything
        assert hashlib.sha256(secret.encode()).hexdigest() not in repr(entries)


def test_deactivated_person_gets_404_and_lost_access_hides_the_meetings(cast, meetings):
    ours, _theirs = meetings
    token = address(cast.association)
    assert uid(ours) in events(fetch(token))

    membership = Membership.objects.get(taskforce=cast.taskforce, user=cast.association)
    taskforce_services.membership_remove(membership=membership, by=cast.chair)
    assert events(fetch(token)) == {}  # checked at each poll, not when the address was made

    cast.association.is_active = False
    cast.association.save(update_fields=["is_active"])
    assert fetch(token).status_code == 404


def test_far_dates_are_left_out_not_a_server_error(cast, meetings, client):
    ours, _theirs = meetings
    late = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    early = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    # Rows saved before the forms had bounds: straight to the database.
    Meeting.objects.filter(pk=late.pk).update(
        starts_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=BRUSSELS)
    )
    Meeting.objects.filter(pk=early.pk).update(starts_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))

    found = events(fetch(address(cast.association)))
    assert set(found) == {uid(ours)}
    # The task force's own feed (signed in) uses the same generator.
    client.force_login(cast.association)
    response = client.get(reverse("taskforces:calendar", args=[cast.taskforce.pk]))
    assert set(events(response)) == {uid(ours)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="BC dates are PostgreSQL's")
def test_a_bc_date_on_postgresql_is_left_out(cast, meetings):
    ours, _theirs = meetings
    bc = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    with connection.cursor() as cursor:
        # What a date typed as 0001-01-01 in Brussels became: a BC timestamp in UTC, which
        # psycopg cannot even read.
        cursor.execute(
            "UPDATE taskforces_meeting SET starts_at = '0001-01-01 00:00:00+01 BC' WHERE id = %s",
            [bc.pk],
        )
    assert set(events(fetch(address(cast.association)))) == {uid(ours)}


def _queries(token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert fetch(token).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["association", "police"])
def test_fixed_query_count_whatever_the_meetings_and_task_forces(cast, meetings, who, csir_analyst):
    person = getattr(cast, who)
    token = address(person)
    fetch(token)  # the first poll writes last_used_at; caches warm up
    small = _queries(token)

    for index in range(3):
        hotspot = HotspotFactory(code=f"HX{index}", communes=["21004"], proposed_by=csir_analyst)
        taskforce = taskforce_open(hotspot=hotspot, by=csir_analyst)
        member(taskforce, person)
        for _n in range(3):
            meeting = MeetingFactory(taskforce=taskforce, created_by=person)
            MeetingDecision.objects.create(meeting=meeting, text="Décision", created_by=person)
    for _n in range(4):
        meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
        MeetingDecision.objects.create(
            meeting=meeting, text="Encore", action=cast.secret, created_by=cast.chair
        )
    assert len(events(fetch(token))) == 1 + 9 + 4
    assert _queries(token) == small


def test_last_use_is_written_at_most_once_a_minute(cast, meetings):
    token = address(cast.association)
    feed = CalendarFeed.objects.get(user=cast.association)
    assert feed.last_used_at is None
    fetch(token)
    feed.refresh_from_db()
    first = feed.last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as queries:
        fetch(token)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=first - feed_secrets.TOUCH_INTERVAL)
    fetch(token)
    feed.refresh_from_db()
    assert feed.last_used_at > first


def test_sequence_follows_the_audited_changes(cast, meetings):
    ours, _theirs = meetings
    token = address(cast.association)
    assert events(fetch(token))[uid(ours)]["SEQUENCE"] == 0
    from taskforces.services import meetings as meeting_services

    meeting_services.meeting_update(meeting=ours, by=cast.chair, place="Salle 2")
    event = events(fetch(token))[uid(ours)]
    assert event["SEQUENCE"] == 1 and str(event["LOCATION"]) == "Salle 2"


# --- The page -------------------------------------------------------------------------------


def shown_token(html: str) -> str:
    """The token in the address the page shows (in the copy field)."""
    match = re.search(
        r'id="calendar-address"[^>]*value="http://testserver/calendar/([^"]+)\.ics"', html
    )
    assert match, "no address shown"
    return match.group(1)


def test_page_creates_shows_once_renews_and_revokes(client, cast):
    person = cast.association
    client.force_login(person)
    page = reverse("calendar:subscription")
    response = client.get(page)
    assert response.status_code == 200
    assert reverse("calendar:create") in response.content.decode()

    response = client.post(reverse("calendar:create"))
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(user=person, revoked_at__isnull=True)
    html = response.content.decode()
    token = shown_token(html)
    assert feed.token_hash == feed_secrets.token_hash(token)
    assert f"webcal://testserver/calendar/{token}.ics" in html
    assert 'id="calendar-address"' in html and "readonly" in html
    assert token not in client.get(page).content.decode()  # shown once only

    # A second "create" (another tab) keeps the address and says why.
    response = client.post(reverse("calendar:create"), follow=True)
    assert CalendarFeed.objects.filter(user=person).count() == 1
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert escape(message.message) in response.content.decode()

    response = client.post(reverse("calendar:renew"))
    assert response.status_code == 200
    renewed = shown_token(response.content.decode())
    assert renewed != token
    assert fetch(token).status_code == 404 and fetch(renewed).status_code == 200

    response = client.post(reverse("calendar:revoke"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(user=person, revoked_at__isnull=True).exists()
    assert fetch(renewed).status_code == 404
    # Revoking twice is harmless.
    assert client.post(reverse("calendar:revoke")).status_code == 302


def test_page_needs_a_session_and_the_writes_need_post(client, cast):
    page = reverse("calendar:subscription")
    response = client.get(page)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("calendar:create")).status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(cast.association)
    for name in ("create", "renew", "revoke"):
        assert client.get(reverse(f"calendar:{name}")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_links_to_the_page(client, cast):
    client.force_login(cast.association)
    link = reverse("calendar:subscription")
    for url in (
        reverse("taskforces:detail", args=[cast.taskforce.pk]),
        reverse("taskforces:meetings", args=[cast.taskforce.pk]),
        reverse("home:index"),
    ):
        assert f'href="{link}"' in client.get(url).content.decode()


def test_a_person_without_task_force_gets_an_empty_calendar(db, cores_member):
    response = fetch(address(cores_member))
    assert events(response) == {}
    assert b"BEGIN:VCALENDAR" in response.content
