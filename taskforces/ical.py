"""The iCalendar feed of a task force's meetings, written by hand to RFC 5545.

Text values are escaped (backslash, semicolon, comma, newline) and every content line is
folded at 75 octets with CRLF and a space, never inside a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from taskforces.models import Meeting, TaskForce

# A meeting has a start only; calendars get a two-hour slot.
MEETING_LENGTH = dt.timedelta(hours=2)
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    chunks: list[str] = []
    current, size = "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts in their 75 octets.
        limit = LINE_OCTETS if not chunks else LINE_OCTETS - 1
        if size + octets > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    taskforce: TaskForce,
    meetings: Iterable[Meeting],
    *,
    url_for: Callable[[Meeting], str],
    host: str,
) -> str:
    """The VCALENDAR text, CRLF line ends, one VEVENT per meeting."""
    now = _utc(timezone.now())
    name = _("Task force %(hotspot)s") % {"hotspot": taskforce.hotspot}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//safe.brussels//Hotspot strategy portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Europe/Brussels",
    ]
    for meeting in meetings:
        summary = _("Task force meeting: %(hotspot)s") % {"hotspot": taskforce.hotspot}
        lines += [
            "BEGIN:VEVENT",
            f"UID:taskforce-meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.starts_at + MEETING_LENGTH)}",
            f"SUMMARY:{escape_text(summary)}",
            f"LOCATION:{escape_text(meeting.place)}",
        ]
        if meeting.agenda:
            lines.append(f"DESCRIPTION:{escape_text(meeting.agenda)}")
        lines += [f"URL:{url_for(meeting)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
