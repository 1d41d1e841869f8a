"""Reads of the notification centre: a person's page of notifications, the unread count, and
the access helper. Fixed query counts whatever the number of notifications."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404

from coordination.notifications.models import Notification
from coordination.notifications.services import message, referenced
from coordination.people.models import User

PAGE_SIZE = 20


def unread_count(user: User) -> int:
    """How many notifications ``user`` has not read; one query (the navigation badge)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for(user: User, pk: int) -> Notification:
    """The notification ``pk`` if it is ``user``'s own; 404 otherwise, as if it did not exist."""
    return get_object_or_404(Notification, pk=pk, recipient_id=user.pk)


def with_text(notification: Notification) -> Notification:
    """Attach the text in the active language, for the templates."""
    notification.text = message(notification)
    return notification


def notification_page(user: User, number: str | int | None) -> Page:
    """One page of ``user``'s notifications, newest first, each with its ``text``; two
    queries (count and page), and one per kind of thing the page's notifications name."""
    notifications = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    page = Paginator(notifications, PAGE_SIZE).get_page(number)
    shown = list(page.object_list)
    # The things they name, fetched once for the page (one query per kind of thing).
    objects = referenced(shown)
    for notification in shown:
        notification.text = message(notification, objects)
    page.object_list = shown
    return page
