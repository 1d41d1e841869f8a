"""The notification centre: the list, marking read, opening a notification's link, and the
e-mail preferences. Mounted at /notifications/ by coordination.urls."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.notifications import selectors, services
from coordination.notifications.forms import NotificationPreferencesForm
from coordination.people.http import AuthenticatedHttpRequest

LIST_TEMPLATE = "coordination/notifications/list.html"


def _back_to_list(request: AuthenticatedHttpRequest) -> HttpResponseRedirect:
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones highlighted."""
    context = {
        "page": selectors.notification_page(request.user, request.GET.get("page")),
        "unread": selectors.unread_count(request.user),
    }
    return render(request, LIST_TEMPLATE, context)


@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one read: with htmx, the row and the unread count are swapped in place."""
    notification = selectors.get_notification_for(request.user, pk)
    services.notification_mark_read(notification=notification)
    if not request.htmx:
        return _back_to_list(request)
    context = {
        "notification": selectors.with_text(notification),
        "unread": selectors.unread_count(request.user),
        "oob": True,
    }
    row = render_to_string(f"{LIST_TEMPLATE}#notification-row", context, request)
    summary = render_to_string(f"{LIST_TEMPLATE}#unread-summary", context, request)
    return HttpResponse(row + summary)


@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(person=request.user)
    if count:
        messages.success(request, _("Every notification is marked as read."))
    return _back_to_list(request)


@require_GET
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link, only to a path of this portal."""
    notification = selectors.get_notification_for(request.user, pk)
    services.notification_mark_read(notification=notification)
    url = notification.url
    # No host allowed at all: only a relative path of this site ("//evil", "https://…"
    # and "javascript:" are refused).
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return redirect(url)
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How the person receives e-mail: immediately, a daily digest or none; and in which
    language."""
    user = request.user
    initial = {"email_mode": user.email_mode, "preferred_language": user.preferred_language}
    form = NotificationPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(person=user, **form.cleaned_data)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "coordination/notifications/preferences.html", {"form": form})
