"""Browser journey of a calendar subscription, in Chromium: a task-force member makes their
secret address on the page, a calendar app (here a plain HTTP client, no cookie) reads it,
and the member revokes it."""

import datetime as dt
import urllib.error
import urllib.request

import icalendar
import pytest
from playwright.sync_api import expect

from coordination.people.models import CalendarFeed
from tests.factories_taskforces import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _poll(url: str) -> tuple[int, bytes, str]:
    """GET ``url`` as a calendar app: a new opener, no cookie jar, no session."""
    opener = urllib.request.build_opener()
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Set-Cookie", "")


def test_member_subscribes_then_revokes(page, login, cast, live_server):
    meeting = MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=dt.datetime(2030, 3, 5, 17, 30, tzinfo=dt.UTC),
        place="Hôtel de ville, salle 1",
        created_by=cast.chair,
    )
    login(cast.association)
    page.goto(f"/taskforces/{cast.taskforce.pk}/")
    page.locator("main .actions-bar a[href='/calendar/']").click()
    page.wait_for_url("**/calendar/")
    page.locator("form[action='/calendar/create/'] button").click()

    field = page.locator("#calendar-address")
    expect(field).to_be_visible()
    assert field.get_attribute("readonly") is not None
    url = field.input_value()
    assert url.startswith(live_server.url + "/calendar/") and url.endswith(".ics")
    webcal = page.locator(f"a[href='webcal://{url.split('://', 1)[1]}']")
    expect(webcal).to_be_visible()

    status, body, cookie = _poll(url)
    assert status == 200 and cookie == ""
    cal = icalendar.Calendar.from_ical(body)
    [event] = cal.walk("VEVENT")
    assert str(event["LOCATION"]) == "Hôtel de ville, salle 1"
    assert str(event["URL"]).endswith(f"/taskforces/meetings/{meeting.pk}/")
    assert event.decoded("DTSTART") == dt.datetime(2030, 3, 5, 17, 30, tzinfo=dt.UTC)

    # Back on the page, the address is not shown any more; its last use is.
    page.goto("/calendar/")
    expect(page.locator("#calendar-address")).to_have_count(0)
    assert url not in page.content()
    assert CalendarFeed.objects.get(user=cast.association).last_used_at is not None

    page.locator("form[action='/calendar/revoke/'] button").click()
    expect(page.locator("form[action='/calendar/create/'] button")).to_be_visible()
    status, _body, _cookie = _poll(url)
    assert status == 404
