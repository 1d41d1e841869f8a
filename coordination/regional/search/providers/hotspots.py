"""Hotspots and police orders in the search; who sees them is ``hotspots.permissions``
(``visible_hotspots``, ``visible_orders``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.models import User
from coordination.regional.search.selectors import Provider, register
from hotspots import permissions
from hotspots.models import PoliceOrder


def _orders(user: User) -> QuerySet[PoliceOrder]:
    return permissions.visible_orders(user).select_related("hotspot")


def _order_where(order: PoliceOrder) -> str:
    scope = order.hotspot.code if order.hotspot is not None else order.get_scope_display()
    return f"{scope} · {order.get_state_display()}"


register(
    Provider(
        key="hotspot",
        label=_("Hotspots"),
        order=10,
        visible=permissions.visible_hotspots,
        texts=("description", "closure_reason"),
        names=("code", "name_fr", "name_nl"),
        title=str,
        url=lambda hotspot: reverse("hotspots:detail", args=[hotspot.pk]),
        where=lambda hotspot: hotspot.get_status_display(),
        ordering=("code",),
        indexed=True,
    )
)
register(
    Provider(
        key="police-order",
        label=_("Police orders"),
        order=80,
        visible=_orders,
        texts=("title_fr", "title_nl", "measure_details", "legal_reference", "signatory"),
        names=("hotspot__code",),
        excerpt=("measure_details", "legal_reference"),
        title=lambda order: order.title,
        url=lambda order: reverse("hotspots:order_detail", args=[order.pk]),
        where=_order_where,
        ordering=("-valid_from", "-pk"),
        indexed=True,
    )
)
