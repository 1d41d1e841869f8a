"""Reads of police orders: the list, what is in force on a hotspot, what expires soon."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from coordination.models import User
from hotspots.models import Hotspot, PoliceOrder
from hotspots.permissions import visible_orders

State = PoliceOrder.State


def _on_state(orders: QuerySet[PoliceOrder], state: str, on: dt.date) -> QuerySet[PoliceOrder]:
    """The same rule as ``PoliceOrder.state_on``, as a database filter."""
    if state == State.UPCOMING:
        return orders.filter(valid_from__gt=on)
    if state == State.EXPIRED:
        return orders.filter(valid_until__lt=on)
    if state == State.IN_FORCE:
        return orders.filter(valid_from__lte=on, valid_until__gte=on)
    return orders


def orders_for_list(
    user: User,
    *,
    state: str | None = None,
    scope: str | None = None,
    hotspot: Hotspot | int | None = None,
) -> QuerySet[PoliceOrder]:
    """The orders ``user`` may see, newest first; one query whatever their number."""
    orders = (
        visible_orders(user).select_related("hotspot", "extends").order_by("-valid_from", "-id")
    )
    if state:
        orders = _on_state(orders, state, timezone.localdate())
    if scope:
        orders = orders.filter(scope=scope)
    if hotspot is not None:
        orders = orders.filter(hotspot=hotspot)
    return orders


def in_force(hotspot: Hotspot, *, on: dt.date | None = None) -> list[PoliceOrder]:
    """The orders applying on ``hotspot`` on ``on`` (today): every regional one and its own."""
    on = on or timezone.localdate()
    orders = PoliceOrder.objects.filter(Q(hotspot__isnull=True) | Q(hotspot=hotspot))
    return list(
        _on_state(orders, State.IN_FORCE, on)
        .select_related("hotspot")
        .order_by("valid_until", "id")
    )


def expiring(on: dt.date, days: int) -> QuerySet[PoliceOrder]:
    """The orders whose last valid day is exactly ``days`` days after ``on``."""
    return (
        PoliceOrder.objects.filter(valid_until=on + dt.timedelta(days=days))
        .select_related("hotspot", "signer")
        .order_by("id")
    )
