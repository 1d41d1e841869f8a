"""Reads of police orders: the list, what is in force on a hotspot, what expires soon."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from coordination.models import User
from hotspots.models import Hotspot, OrderDocument, PoliceOrder
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


# --- Signed documents -----------------------------------------------------------------

CHUNK = 1024 * 1024


def file_checksum(handle: IO[bytes] | Any) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read from its start; the position is restored."""
    digest, size = hashlib.sha256(), 0
    if hasattr(handle, "seek"):
        handle.seek(0)
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    if hasattr(handle, "seek"):
        handle.seek(0)
    return digest.hexdigest(), size


class DocumentMismatch(Exception):
    """The stored file is not the one recorded (tampered, truncated or replaced on disk)."""


def verified_content(document: OrderDocument) -> bytes:
    """The bytes of a document version after checking them against its recorded SHA-256.

    Read whole (at most 10 MB) so that what is checked is exactly what is sent. Raises
    FileNotFoundError when the file is gone and DocumentMismatch when it differs (or has
    no checksum to be checked against).
    """
    with document.file.open("rb") as handle:
        content = handle.read()
    if not document.sha256 or hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentMismatch(document.pk)
    return content


def document_versions(order: PoliceOrder) -> list[OrderDocument]:
    """Every signed document of the order, newest first; one query."""
    return list(order.documents.select_related("uploaded_by").order_by("-number"))
