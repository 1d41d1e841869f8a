"""Reads of the register of police orders: what was in force where on a day, and each
order's amendments with their publication checklist and appeal period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from coordination.models import User
from hotspots.models import (
    APPEAL_DAYS,
    Hotspot,
    OrderAmendment,
    PoliceOrder,
    PublicationStep,
)
from hotspots.permissions import (
    can_amend_order,
    can_tick_step,
    speaks_for_commune,
    visible_hotspots,
    visible_orders,
)

Kind = PublicationStep.Kind
# The checklist reads in the order the steps happen.
STEP_ORDER: dict[str, int] = {
    Kind.MONITEUR: 0,
    Kind.MAYORS: 1,
    Kind.POSTED: 2,
    Kind.CRISIS_CENTRE: 3,
}


def appeal_end(published_on: dt.date | None) -> dt.date | None:
    """The last day an appeal may reach the Council of State: 60 days after publication
    in the Moniteur belge; unknown until the order is published."""
    if published_on is None:
        return None
    return published_on + dt.timedelta(days=APPEAL_DAYS)


@dataclass(frozen=True)
class InForce:
    """One order's state in force on a day: its latest amendment holding that day, or the
    order itself when no amendment was ever recorded."""

    order: PoliceOrder
    amendment: OrderAmendment | None
    hotspots: list[Hotspot]

    @property
    def source(self) -> OrderAmendment | PoliceOrder:
        return self.amendment if self.amendment is not None else self.order

    @property
    def valid_from(self) -> dt.date:
        return self.source.valid_from

    @property
    def valid_until(self) -> dt.date:
        return self.source.valid_until

    def measure_labels(self) -> list[str]:
        return self.source.measure_labels()

    @property
    def region_wide(self) -> bool:
        """A regional order with no amendment recorded: it applies to every hotspot."""
        return self.amendment is None and self.order.scope == PoliceOrder.Scope.REGIONAL


@dataclass(frozen=True)
class HotspotInForce:
    hotspot: Hotspot
    entries: list[InForce]


def _covered(user: User) -> QuerySet[Hotspot]:
    """The hotspots an amendment covers, as far as ``user`` may see them."""
    return visible_hotspots(user).order_by("code")


def _amendments_with_hotspots(user: User) -> QuerySet[OrderAmendment]:
    return OrderAmendment.objects.select_related("order__hotspot").prefetch_related(
        Prefetch("hotspots", queryset=_covered(user).prefetch_related("communes"))
    )


def in_force_on(user: User, on: dt.date) -> list[InForce]:
    """The orders ``user`` may see that were in force on ``on``, each in the state of its
    latest amendment holding that day; three queries whatever the data."""
    candidates = _amendments_with_hotspots(user).filter(
        order__in=visible_orders(user), valid_from__lte=on, valid_until__gte=on
    )
    latest: dict[int, OrderAmendment] = {}
    for amendment in candidates.order_by("order_id", "-number"):
        latest.setdefault(amendment.order_id, amendment)
    entries = [
        InForce(order=a.order, amendment=a, hotspots=list(a.hotspots.all()))
        for a in latest.values()
    ]
    unamended = (
        visible_orders(user)
        .filter(valid_from__lte=on, valid_until__gte=on)
        .filter(~Exists(OrderAmendment.objects.filter(order=OuterRef("pk"))))
        .select_related("hotspot")
        .prefetch_related("hotspot__communes")
    )
    for order in unamended:
        hotspots = [order.hotspot] if order.hotspot is not None else []
        entries.append(InForce(order=order, amendment=None, hotspots=hotspots))
    entries.sort(
        key=lambda entry: (entry.order.scope != PoliceOrder.Scope.REGIONAL, entry.order.pk)
    )
    return entries


def by_hotspot(entries: list[InForce]) -> list[HotspotInForce]:
    """The same entries per hotspot covered, by hotspot code (region-wide ones apart)."""
    rows: dict[int, HotspotInForce] = {}
    for entry in entries:
        for hotspot in entry.hotspots:
            rows.setdefault(hotspot.pk, HotspotInForce(hotspot=hotspot, entries=[]))
            rows[hotspot.pk].entries.append(entry)
    return sorted(rows.values(), key=lambda row: row.hotspot.code)


# --- Each order's history and checklist -----------------------------------------------


@dataclass(frozen=True)
class StepEntry:
    step: PublicationStep
    can_tick: bool
    late: bool
    mine: bool


@dataclass(frozen=True)
class AmendmentEntry:
    amendment: OrderAmendment
    hotspots: list[Hotspot]
    steps: list[StepEntry]
    published_on: dt.date | None
    appeal_until: dt.date | None
    in_force: bool

    @property
    def pending(self) -> int:
        return sum(1 for entry in self.steps if not entry.step.is_done)

    def appeal_open_on(self, on: dt.date) -> bool:
        return self.published_on is not None and self.published_on <= on <= (
            self.appeal_until or on
        )


@dataclass(frozen=True)
class OrderHistory:
    order: PoliceOrder
    amendments: list[AmendmentEntry]
    can_amend: bool


@dataclass
class Register:
    on: dt.date
    in_force: list[InForce]
    hotspots: list[HotspotInForce]
    histories: list[OrderHistory]
    my_steps: list[tuple[OrderHistory, AmendmentEntry, StepEntry]] = field(default_factory=list)

    @property
    def region_wide(self) -> list[InForce]:
        return [entry for entry in self.in_force if entry.region_wide]


def owns_step(user: User, step: PublicationStep) -> bool:
    """Whether the reminder of ``step`` is for ``user``: named owner, owning agency, or
    the commune whose posting it is."""
    if step.owner_user_id == user.pk:
        return True
    if step.owner_agency_id is not None and step.owner_agency_id == user.agency_id:
        return True
    return step.kind == Kind.POSTED and speaks_for_commune(user, step.commune_id)


def _step_key(step: PublicationStep) -> tuple[int, str]:
    return (STEP_ORDER.get(step.kind, 9), step.commune.name if step.commune else "")


def histories(user: User, on: dt.date, *, order: PoliceOrder | None = None) -> list[OrderHistory]:
    """The orders ``user`` may see that have a register, newest first, each with every
    amendment (newest first) and its checklist; four queries whatever the data. ``on``
    is the day read (what is in force); lateness is always as of today."""
    today = timezone.localdate()
    steps = PublicationStep.objects.select_related(
        "commune", "owner_agency", "owner_user", "done_by"
    )
    amendments = (
        OrderAmendment.objects.select_related("created_by")
        .prefetch_related(
            Prefetch("hotspots", queryset=_covered(user)),
            Prefetch("steps", queryset=steps),
        )
        .order_by("-number")
    )
    orders = (
        visible_orders(user)
        .filter(Exists(OrderAmendment.objects.filter(order=OuterRef("pk"))))
        .select_related("hotspot")
        .prefetch_related("hotspot__communes", Prefetch("amendments", queryset=amendments))
        .order_by("-signed_on", "-id")
    )
    if order is not None:
        orders = orders.filter(pk=order.pk)
    result = []
    for police_order in orders:
        entries = []
        for amendment in police_order.amendments.all():
            checklist = sorted(amendment.steps.all(), key=_step_key)
            published = next(
                (s.done_on for s in checklist if s.kind == Kind.MONITEUR and s.done_on), None
            )
            entries.append(
                AmendmentEntry(
                    amendment=amendment,
                    hotspots=list(amendment.hotspots.all()),
                    steps=[
                        StepEntry(
                            step=step,
                            can_tick=not step.is_done and can_tick_step(user, step, police_order),
                            late=step.is_late(today),
                            mine=owns_step(user, step),
                        )
                        for step in checklist
                    ],
                    published_on=published,
                    appeal_until=appeal_end(published),
                    in_force=amendment.in_force_on(on),
                )
            )
        result.append(
            OrderHistory(
                order=police_order,
                amendments=entries,
                can_amend=can_amend_order(user, police_order),
            )
        )
    return result


def register(user: User, on: dt.date) -> Register:
    """Everything the register page shows for ``on``; a fixed number of queries."""
    entries = in_force_on(user, on)
    order_histories = histories(user, on)
    mine = [
        (history, amendment, step)
        for history in order_histories
        for amendment in history.amendments
        for step in amendment.steps
        if step.mine and step.can_tick
    ]
    return Register(
        on=on,
        in_force=entries,
        hotspots=by_hotspot(entries),
        histories=order_histories,
        my_steps=mine,
    )


def pending_steps(on: dt.date) -> QuerySet[PublicationStep]:
    """Steps not done whose due day has come (the reminders' work list)."""
    return (
        PublicationStep.objects.filter(done_on__isnull=True, due_on__lte=on)
        .select_related("amendment__order", "commune", "owner_agency", "owner_user")
        .order_by("id")
    )
