"""Who is told what about hotspots. Called by the Celery tasks; testable without Celery."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from coordination.mail import send_to_people
from coordination.models import User
from hotspots.models import Hotspot, MayorDecision, OrderReminder
from hotspots.selectors.orders import expiring

CSIR_ROLES = [User.Role.CSIR_COORDINATOR, User.Role.CSIR_ANALYST]


def csir_people():
    return User.objects.filter(role__in=CSIR_ROLES, is_active=True)


def decision_requested(hotspot_id: int) -> int:
    """E-mail the mayors whose decision on the hotspot is still pending."""
    hotspot = Hotspot.objects.get(pk=hotspot_id)
    pending = MayorDecision.objects.filter(
        hotspot=hotspot, decision=MayorDecision.Decision.PENDING
    ).values("commune_id")
    mayors = User.objects.filter(role=User.Role.MAYOR, commune_id__in=pending, is_active=True)
    return send_to_people(
        mayors,
        template="hotspots/email/decision_requested",
        context={"hotspot": hotspot, "path": reverse("hotspots:decide", args=[hotspot.pk])},
    )


def hotspot_settled(hotspot_id: int) -> int:
    """Tell the CSIR and the proposer that every mayor approved, or that one rejected."""
    hotspot = Hotspot.objects.select_related("proposed_by").get(pk=hotspot_id)
    people = {person.pk: person for person in csir_people()}
    people[hotspot.proposed_by_id] = hotspot.proposed_by
    return send_to_people(
        people.values(),
        template="hotspots/email/hotspot_settled",
        context={"hotspot": hotspot, "path": reverse("hotspots:detail", args=[hotspot.pk])},
    )


# --- Police orders --------------------------------------------------------------------

# Reminders go out this many days before an order's last valid day.
ORDER_REMINDER_DAYS = (14, 3)


def remind_expiring_orders(on: dt.date) -> int:
    """E-mail the signer and the CSIR about orders ending 14 or 3 days after ``on``.

    Each (order, days) reminder goes out once: the OrderReminder row is created in the
    same transaction as the sending, so a failed send is retried and a re-run sends nothing.
    Returns how many e-mails were sent.
    """
    sent = 0
    csir = list(csir_people())
    for days in ORDER_REMINDER_DAYS:
        for order in expiring(on, days):
            with transaction.atomic():
                _, created = OrderReminder.objects.get_or_create(order=order, days_before=days)
                if not created:
                    continue
                people = {person.pk: person for person in csir}
                if order.signer is not None:
                    people[order.signer.pk] = order.signer
                sent += send_to_people(
                    people.values(),
                    template="hotspots/email/order_expiring",
                    context={
                        "order": order,
                        "days": days,
                        "path": reverse("hotspots:order_detail", args=[order.pk]),
                    },
                )
    return sent
