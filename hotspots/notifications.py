"""Who is told what about hotspots. Called by the Celery tasks; testable without Celery.

Everything goes through the notification centre (coordination.notifications.notify): each
person sees it in the portal and gets it by e-mail as they chose (immediately, in the
daily digest, or not at all).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from coordination.models import User
from coordination.notifications.services import notify
from coordination.people.selectors import csir_people
from hotspots.models import (
    Hotspot,
    MayorDecision,
    OrderReminder,
    PerimeterDecision,
    PerimeterVersion,
    PoliceOrder,
)
from hotspots.selectors.orders import expiring


def hotspot_params(hotspot: Hotspot) -> dict[str, str]:
    """The hotspot as each reader names it: HS10 Gare du Midi, or HS10 Zuidstation in Dutch."""
    return {
        "hotspot": f"{hotspot.code} {hotspot.name_fr}",
        "hotspot_nl": f"{hotspot.code} {hotspot.name_nl}",
    }


def order_params(order: PoliceOrder) -> dict[str, str]:
    return {
        "order": order.title_fr,
        "order_nl": order.title_nl,
        "date": order.valid_until.isoformat(),
    }


@transaction.atomic
def decision_requested(hotspot_id: int) -> int:
    """Tell the mayors whose decision on the hotspot is still pending; returns how many."""
    hotspot = Hotspot.objects.get(pk=hotspot_id)
    pending = MayorDecision.objects.filter(
        hotspot=hotspot, decision=MayorDecision.Decision.PENDING
    ).values("commune_id")
    mayors = User.objects.filter(role=User.Role.MAYOR, commune_id__in=pending, is_active=True)
    told = notify(
        recipients=mayors,
        kind="decision_requested",
        params=hotspot_params(hotspot),
        url=reverse("hotspots:decide", args=[hotspot.pk]),
    )
    return len(told)


@transaction.atomic
def hotspot_settled(hotspot_id: int) -> int:
    """Tell the CSIR and the proposer that every mayor approved, or that one rejected."""
    hotspot = Hotspot.objects.select_related("proposed_by").get(pk=hotspot_id)
    if hotspot.status in (Hotspot.Status.PROPOSED, Hotspot.Status.AWAITING_APPROVAL):
        return 0
    people = [*csir_people(), hotspot.proposed_by]
    # An approved hotspot may already be active (or closed) when the job runs.
    rejected = hotspot.status == Hotspot.Status.REJECTED
    told = notify(
        recipients=people,
        kind="hotspot_rejected" if rejected else "hotspot_approved",
        params=hotspot_params(hotspot),
        url=reverse("hotspots:detail", args=[hotspot.pk]),
    )
    return len(told)


@transaction.atomic
def perimeter_change_requested(version_id: int) -> int:
    """Tell the mayors who owe a decision on a proposed perimeter; returns how many."""
    version = PerimeterVersion.objects.select_related("hotspot").get(pk=version_id)
    pending = PerimeterDecision.objects.filter(
        version=version, decision=PerimeterDecision.Decision.PENDING
    ).values("commune_id")
    mayors = User.objects.filter(role=User.Role.MAYOR, commune_id__in=pending, is_active=True)
    told = notify(
        recipients=mayors,
        kind="perimeter_change_requested",
        params={**hotspot_params(version.hotspot), "version": version.number},
        url=reverse("hotspots:decide", args=[version.hotspot_id]),
    )
    return len(told)


@transaction.atomic
def perimeter_settled(version_id: int) -> int:
    """Tell the CSIR and the proposer that a perimeter change is in force, or rejected."""
    version = PerimeterVersion.objects.select_related("hotspot", "proposed_by").get(pk=version_id)
    State = PerimeterVersion.State
    if version.state not in (State.IN_FORCE, State.REJECTED, State.SUPERSEDED):
        return 0
    told = notify(
        recipients=[*csir_people(), version.proposed_by],
        kind="perimeter_rejected" if version.state == State.REJECTED else "perimeter_in_force",
        params={**hotspot_params(version.hotspot), "version": version.number},
        url=reverse("hotspots:detail", args=[version.hotspot_id]),
    )
    return len(told)


# --- Police orders --------------------------------------------------------------------

# Reminders go out this many days before an order's last valid day.
ORDER_REMINDER_DAYS = (14, 3)


def remind_expiring_orders(on: dt.date) -> int:
    """Tell the signer and the CSIR about orders ending 14 or 3 days after ``on``.

    Each (order, days) reminder goes out once: the OrderReminder row is created in the
    same transaction as the notifications, so a re-run tells nobody twice.
    Returns how many people were told.
    """
    told = 0
    csir = list(csir_people())
    for days in ORDER_REMINDER_DAYS:
        for order in expiring(on, days):
            with transaction.atomic():
                _, created = OrderReminder.objects.get_or_create(order=order, days_before=days)
                if not created:
                    continue
                people = [*csir, *([order.signer] if order.signer is not None else [])]
                told += len(
                    notify(
                        recipients=people,
                        kind="order_expiring",
                        params={**order_params(order), "days": days},
                        url=reverse("hotspots:order_detail", args=[order.pk]),
                    )
                )
    return told
