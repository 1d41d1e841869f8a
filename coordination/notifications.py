"""The notification centre: one entry per person and event, shown in the portal and e-mailed
immediately or in a daily digest, as each person chose (``User.email_mode``).

Every app reports its events through :func:`notify`; the text is rendered from ``MESSAGES``
in the reader's language when shown, so a notification reads right in FR, NL and EN.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from coordination.models import Notification, User

MESSAGES = {
    "decision_requested": _("Hotspot %(hotspot)s awaits your decision."),
    "hotspot_approved": _("Every concerned mayor approved hotspot %(hotspot)s."),
    "hotspot_rejected": _("Hotspot %(hotspot)s was rejected by a mayor."),
    "order_expiring": _("Police order “%(order)s” expires on %(date)s."),
    "plan_submitted": _("The action plan of %(taskforce)s was submitted for validation."),
    "plan_validated": _("The CSIR validated the action plan of %(taskforce)s."),
    "plan_returned": _("The CSIR returned the action plan of %(taskforce)s with comments."),
    "action_escalated": _("Action “%(action)s” of %(taskforce)s is escalated to the CSIR."),
    "escalation_resolved": _("The CSIR resolved the escalation of action “%(action)s”."),
    "displacement_reported": _("Displacement reported from %(hotspot)s to %(place)s."),
    "displacement_closed": _("The displacement from %(hotspot)s to %(place)s is closed."),
    "bulletin_published": _("New bulletin: %(title)s"),
    "good_practice_shared": _("%(taskforce)s shares a good practice: %(title)s"),
    "meeting_scheduled": _("Task force %(taskforce)s meets on %(date)s, %(place)s."),
    "no_meeting": _("Task force %(taskforce)s has not met for %(days)s days."),
}


def message(notification: Notification) -> str:
    """The notification's text in the active language."""
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(
    *, recipients: Iterable[User], kind: str, params: dict[str, Any], url: str = ""
) -> list[Notification]:
    """Record one notification per active recipient; e-mail the 'immediate' ones after commit.

    Call it inside the service's transaction: if the write rolls back, nobody is told.
    """
    assert kind in MESSAGES, f"unknown notification kind {kind!r}"
    unique = {person.pk: person for person in recipients if person.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=person, kind=kind, params=params, url=url)
        for person in unique.values()
    )
    immediate = [
        n.pk for n in notifications if unique[n.recipient_id].email_mode == "immediate" and n.pk
    ]
    if immediate:
        from coordination import tasks

        transaction.on_commit(lambda: tasks.email_notifications.delay(immediate))
    return notifications
