"""Browser journey of a meeting's life, in Chromium: the coordinator schedules a meeting
(the invitations go out with their calendar file), records who attended once it was
held, and makes the minutes final (locked from then on)."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from taskforces.models import Meeting, MeetingMinutes, MeetingParticipant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_schedules_records_attendance_and_finalises(page, login, cast, mailoutbox):
    login(cast.coordinator)
    page.goto(f"/taskforces/{cast.taskforce.pk}/meetings/new/")
    starts_at = timezone.localtime() + dt.timedelta(days=9)
    page.locator("input[name=starts_at]").fill(starts_at.strftime("%Y-%m-%dT18:30"))
    page.locator("input[name=place]").fill("Hôtel de ville, salle 2")
    page.locator("textarea[name=agenda]").fill("1. Suivi du plan")
    # Every active member is ticked by default.
    invitees = page.locator("input[name=invitees]")
    expect(invitees).to_have_count(6)
    for index in range(6):
        expect(invitees.nth(index)).to_be_checked()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/taskforces/meetings/*/")
    meeting = Meeting.objects.get(place="Hôtel de ville, salle 2")
    participants = page.locator("section[aria-labelledby=h-attendance] table tbody tr")
    expect(participants).to_have_count(6)

    # The invitations went out by e-mail, each with its calendar file.
    addresses = {message.to[0] for message in mail.outbox}
    assert cast.police.email in addresses and len(addresses) == 6
    message = next(m for m in mail.outbox if m.to == [cast.police.email])
    [(name, content, _mimetype)] = message.attachments
    assert name == f"meeting-{meeting.pk}.ics"
    cal = icalendar.Calendar.from_ical(content)
    assert str(cal["METHOD"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]).startswith(f"taskforce-meeting-{meeting.pk}@")

    # The meeting took place (a week later): attendance and minutes.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3))
    page.goto(f"/taskforces/meetings/{meeting.pk}/edit/")
    page.locator(f"input[name=attendees][value='{cast.police.pk}']").check()
    page.locator(f"input[name=attendees][value='{cast.association.pk}']").check()
    page.locator("textarea[name=minutes]").fill("Tour de table ; patrouilles du jeudi.")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/taskforces/meetings/{meeting.pk}/")
    attended = MeetingParticipant.objects.filter(meeting=meeting, status="attended")
    assert {row.user for row in attended} == {cast.police, cast.association}

    page.locator(f"form[action='/taskforces/meetings/{meeting.pk}/minutes/final/'] button").click()
    page.wait_for_url(f"**/taskforces/meetings/{meeting.pk}/")
    minutes = page.locator("section[aria-labelledby=h-minutes]")
    expect(minutes).to_contain_text("Tour de table ; patrouilles du jeudi.")
    expect(
        page.locator(f"form[action='/taskforces/meetings/{meeting.pk}/minutes/correct/']")
    ).to_be_visible()
    version = MeetingMinutes.objects.get(meeting=meeting)
    assert version.status == "final" and version.finalised_by == cast.coordinator

    # Locked: the edit page no longer lets the minutes change.
    page.goto(f"/taskforces/meetings/{meeting.pk}/edit/")
    expect(page.locator("textarea[name=minutes]")).to_be_disabled()
