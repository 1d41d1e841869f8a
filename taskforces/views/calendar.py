"""The calendar feeds of meetings, and the page of a person's secret calendar address.

- ``taskforce_calendar``: one task force's meetings, for a signed-in member (a download).
- ``feed``: the meetings of every task force the person may see, at a secret address that
  calendar apps (Outlook, Google, Apple, Thunderbird) poll without a session. The access
  rules are read again at each poll: deactivation or a lost membership applies at once.
- ``subscription`` and its three POSTs: create, renew, revoke the address. The full address
  is shown once, in the answer to the POST that made it, and is never stored in clear
  (not in the session either, hence no redirect after that POST).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.audit import viewlog
from coordination.people import calendar as feed_secrets
from coordination.people.http import AuthenticatedHttpRequest
from coordination.people.models import CalendarFeed
from taskforces import ical, permissions
from taskforces.models import Meeting
from taskforces.selectors import calendar as calendar_selectors
from taskforces.services import calendar as calendar_services

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(
    request: HttpRequest, *, name: str, entries: list[ical.Entry], filename: str
) -> HttpResponse:
    def url_for(meeting: Meeting) -> str:
        return request.build_absolute_uri(reverse("taskforces:meeting", args=[meeting.pk]))

    text = ical.calendar(
        name=name, entries=entries, url_for=url_for, host=request.get_host().split(":")[0]
    )
    response = HttpResponse(text, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Personal, possibly police-judicial: no cache anywhere (the middleware says it too).
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def taskforce_calendar(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One task force's meetings as an iCalendar file, for its members."""
    taskforce = permissions.get_taskforce_for(request.user, pk)
    entries = calendar_selectors.taskforce_entries(request.user, taskforce)
    viewlog.shown(request, [a for e in entries for a in e.shown], via=viewlog.VIA_CALENDAR)
    return _ics(
        request,
        name=_("Task force %(hotspot)s") % {"hotspot": taskforce.hotspot},
        entries=entries,
        filename=f"taskforce-{taskforce.hotspot.code}.ics",
    )


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's meetings at their secret address; 404 for any address not in use."""
    found = feed_secrets.active_feed(token)
    if found is None:
        # Plain and short: no page, no cookie for a calendar app.
        return HttpResponseNotFound(b"", content_type="text/plain")
    person = found.user
    feed_secrets.touch(found)
    with translation.override(person.preferred_language):
        entries = calendar_selectors.person_entries(person)
        response = _ics(
            request,
            name=_("My task-force meetings"),
            entries=entries,
            filename="taskforce-meetings.ics",
        )
    return response


def _page(request: AuthenticatedHttpRequest, *, token: str | None = None) -> HttpResponse:
    address = None
    if token is not None:
        address = request.build_absolute_uri(reverse("calendar:feed", args=[token]))
    context = {
        "current": feed_secrets.current_feed(request.user.pk),
        "address": address,
        "webcal": address and "webcal://" + address.split("://", 1)[1],
    }
    return render(request, "taskforces/calendar_subscription.html", context)


@require_GET
def subscription(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's calendar address: whether they have one, and how to use it."""
    return _page(request)


@require_POST
def subscription_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        _feed, token = calendar_services.calendar_feed_create(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("calendar:subscription")
    messages.success(request, _("Your calendar address is ready."))
    return _page(request, token=token)


@require_POST
def subscription_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    _feed, token = calendar_services.calendar_feed_renew(user=request.user)
    messages.success(request, _("Your new calendar address is ready; the old one no longer works."))
    return _page(request, token=token)


@require_POST
def subscription_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    revoked: CalendarFeed | None = calendar_services.calendar_feed_revoke(user=request.user)
    if revoked is not None:
        messages.success(request, _("Your calendar address no longer works."))
    return redirect("calendar:subscription")
