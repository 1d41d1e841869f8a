"""The hotspots' part of the home page ('my work'): what a mayor has to act on."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from coordination.models import User
from coordination.people import permissions as policy
from hotspots.models import Hotspot, PoliceOrder
from hotspots.permissions import visible_orders

# A mayor is told this long ahead that a local order of their commune runs out.
EXPIRY_NOTICE_DAYS = 30


def expiring_orders(user: User, *, days: int = EXPIRY_NOTICE_DAYS) -> list[PoliceOrder]:
    """The local police orders on hotspots of the mayor's commune that are in force and
    whose last valid day falls within ``days`` days, soonest first; one query.

    An order already extended by a later one is left out: its follow-up is done. Each
    order carries ``days_left`` (0 on its last day).
    """
    if not policy.is_mayor(user) or user.commune_id is None:
        return []
    today = timezone.localdate()
    extended = PoliceOrder.objects.filter(extends=OuterRef("pk"))
    orders = list(
        visible_orders(user)
        .filter(
            scope=PoliceOrder.Scope.LOCAL,
            hotspot__in=Hotspot.objects.filter(communes=user.commune_id).values("pk"),
            valid_from__lte=today,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=days),
        )
        .filter(~Exists(extended))
        .select_related("hotspot")
        .order_by("valid_until", "pk")
    )
    for order in orders:
        order.days_left = (order.valid_until - today).days  # type: ignore[attr-defined]
    return orders
