"""Who may translate which texts of the hotspots and police orders ("to translate" list).

The author writes in their language; the translation into the other one is added by the
author or by the CSIR (issue 12):

- the CSIR (coordinator and analysts) translates every hotspot description and reason for
  closing, every mayor's reason and every police order;
- a mayor translates the description of the hotspots they proposed, the reasons of the
  decisions they signed, and the police orders of their commune's hotspots (those they may
  correct).

``scope_<model>(user)`` is the condition on rows ``user`` may translate (one query per
list); ``translatable_fields(user, obj)`` the fields of one row they may translate (a
hotspot's reason for closing is the CSIR's text).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, Q

from coordination.core.bilingual import BilingualContent
from coordination.models import User
from coordination.people import permissions as policy
from hotspots.models import Hotspot, MayorDecision, PoliceOrder

NOTHING = Q(pk__in=[])

# Texts of a row written by someone else than its first author: the CSIR's to translate.
CSIR_TEXTS: dict[type[Model], frozenset[str]] = {Hotspot: frozenset({"closure_reason"})}


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def scope_hotspot(user: User) -> Q:
    if not _active(user):
        return NOTHING
    return Q() if policy.is_csir(user) else Q(proposed_by=user)


def scope_mayordecision(user: User) -> Q:
    if not _active(user):
        return NOTHING
    return Q() if policy.is_csir(user) else Q(decided_by=user)


def scope_policeorder(user: User) -> Q:
    if not _active(user):
        return NOTHING
    if policy.is_csir(user):
        return Q()
    if policy.is_mayor(user) and user.commune_id:
        return Q(pk__in=PoliceOrder.objects.filter(hotspot__communes=user.commune_id).values("pk"))
    return NOTHING


SCOPES: dict[type[Model], Callable[[User], Q]] = {
    Hotspot: scope_hotspot,
    MayorDecision: scope_mayordecision,
    PoliceOrder: scope_policeorder,
}


def translatable_fields(user: User, obj: BilingualContent) -> tuple[str, ...]:
    """The fields of ``obj`` (within its ``scope_*``) that ``user`` may translate."""
    if policy.is_csir(user):
        return obj.TRANSLATED_FIELDS
    reserved = CSIR_TEXTS.get(type(obj), frozenset())
    return tuple(name for name in obj.TRANSLATED_FIELDS if name not in reserved)


def may_translate(user: User, obj: BilingualContent) -> tuple[str, ...]:
    """The fields of ``obj`` that ``user`` may translate (empty: none; one query)."""
    scope = SCOPES.get(type(obj))
    if scope is None or not _active(user):
        return ()
    if not type(obj)._default_manager.filter(scope(user), pk=obj.pk).exists():
        return ()
    return translatable_fields(user, obj)


def needs_translation(model: type[BilingualContent], user: User) -> Q:
    """Rows that still miss a translation of a text ``user`` may translate."""
    reserved = frozenset() if policy.is_csir(user) else CSIR_TEXTS.get(model, frozenset())
    condition = Q()
    for name in model.TRANSLATED_FIELDS:
        if name not in reserved:
            condition |= ~Q(**{name: ""}) & Q(**{f"{name}_translation": ""})
    return condition
