"""The iCalendar (RFC 5545) feeds of task-force meetings, built with ``icalendar``.

One generator for both feeds: a task force's (signed-in members) and a person's secret
calendar address (every task force they may see). Times are written in UTC (``...Z``),
which every calendar app shows in its own time zone, so no VTIMEZONE is needed;
``X-WR-TIMEZONE`` tells the apps that read it which zone the portal plans in.

A meeting outside :data:`EARLIEST`–:data:`LATEST` is left out: rows saved before the
forms had bounds (year 9999, year 1 or BC on PostgreSQL) must not break the feed of every
member. The selectors filter them in SQL already (PostgreSQL BC dates cannot even be read
by Python); :func:`in_range` is the last guard, for the end time computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import User
from taskforces.models import Action, Meeting

# A meeting has a start only; calendars get a two-hour slot.
MEETING_LENGTH = dt.timedelta(hours=2)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
PRODID = "-//safe.brussels//Hotspot strategy portal//EN"


@dataclass(frozen=True)
class Decision:
    """A decision as the reader may see it: its text, and the action it names if visible."""

    text: str
    action_title: str | None = None


@dataclass(frozen=True)
class Entry:
    """One meeting of a feed, with what the reader may see of it.

    ``revision`` counts the audited changes of the meeting (its SEQUENCE); ``shown``
    lists the police-judicial actions named in the description, for the view log.
    """

    meeting: Meeting
    revision: int = 0
    decisions: tuple[Decision, ...] = ()
    shown: tuple[Action, ...] = field(default=(), repr=False)


def in_range(moment: dt.datetime) -> bool:
    """Whether a meeting starting at ``moment`` can be written (start and end)."""
    try:
        return moment >= EARLIEST and moment + MEETING_LENGTH < LATEST
    except OverflowError:
        return False


def _description(entry: Entry) -> str:
    parts = [entry.meeting.agenda.strip()] if entry.meeting.agenda.strip() else []
    if entry.decisions:
        lines = [_("Decisions:")]
        for decision in entry.decisions:
            line = f"- {decision.text}"
            if decision.action_title:
                line += f" ({decision.action_title})"
            lines.append(line)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def uid(meeting: Meeting, host: str) -> str:
    """The meeting's UID, the same in the feeds and in the invitations (one event)."""
    return f"taskforce-meeting-{meeting.pk}@{host}"


def _event(entry: Entry, *, stamp: dt.datetime, url: str, host: str) -> icalendar.Event:
    meeting = entry.meeting
    start = meeting.starts_at.astimezone(dt.UTC)
    event = icalendar.Event()
    event.add("uid", uid(meeting, host))
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("sequence", entry.revision)
    event.add(
        "summary", _("Task force meeting: %(hotspot)s") % {"hotspot": meeting.taskforce.hotspot}
    )
    if meeting.place:
        event.add("location", meeting.place)
    description = _description(entry)
    if description:
        event.add("description", description)
    event.add("url", url)
    # A cancelled meeting stays in the feed (a meeting row is never deleted): calendar apps
    # strike it through instead of leaving it, stale, where it was.
    event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    # Shared calendars (Outlook, Google) then show "busy", not the details.
    event.add("class", "PRIVATE")
    return event


def calendar(
    *,
    name: str,
    entries: Iterable[Entry],
    url_for: Callable[[Meeting], str],
    host: str,
) -> bytes:
    """The VCALENDAR, one VEVENT per meeting in range (CRLF, lines folded at 75 octets)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Brussels")
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for entry in entries:
        if not in_range(entry.meeting.starts_at):
            continue
        cal.add_component(_event(entry, stamp=stamp, url=url_for(entry.meeting), host=host))
    return cal.to_ical()


# --- Invitations (iTIP, RFC 5546) ----------------------------------------------------

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _address(person: User) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = icalendar.vText(person.get_full_name() or person.username)
    return address


def invitation(
    meeting: Meeting,
    *,
    attendee: User,
    organizer: User | None,
    sequence: int,
    url: str,
    host: str,
) -> bytes:
    """The ``.ics`` of one person's invitation: METHOD:REQUEST for a meeting to come (each
    change of date or place raises SEQUENCE, so calendar apps move the event),
    METHOD:CANCEL for a cancelled one. The UID is the feed's: one event per meeting.

    Only what every invited member may read: the task force, the date, the place and the
    agenda. Decisions and actions (which may be police-judicial) never go into a mail.
    The only attendee written is the recipient: the invitation does not hand out the
    other members' addresses.
    """
    cancelled = meeting.cancelled_at is not None
    start = meeting.starts_at.astimezone(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", CANCEL if cancelled else REQUEST)
    event = icalendar.Event()
    event.add("uid", uid(meeting, host))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC).replace(microsecond=0))
    event.add("dtstart", start)
    if in_range(meeting.starts_at):
        event.add("dtend", start + MEETING_LENGTH)
    event.add("sequence", sequence)
    event.add(
        "summary", _("Task force meeting: %(hotspot)s") % {"hotspot": meeting.taskforce.hotspot}
    )
    if meeting.place:
        event.add("location", meeting.text_in("place"))
    if meeting.agenda.strip():
        event.add("description", meeting.text_in("agenda"))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    if organizer is not None and organizer.email:
        event.add("organizer", _address(organizer))
    else:
        event.add("organizer", icalendar.vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}"))
    address = _address(attendee)
    address.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    address.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
    address.params["RSVP"] = icalendar.vText("FALSE")
    event.add("attendee", address)
    cal.add_component(event)
    return cal.to_ical()
