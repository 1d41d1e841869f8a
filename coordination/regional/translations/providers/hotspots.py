"""The hotspots' texts, the mayors' reasons, the police orders, the bulletins and the
CoReS' meetings and decisions on the "to translate" list (see
``coordination.regional.translations`` for the contract).

Who may translate what: ``hotspots.selectors.translations`` (the CSIR everything, a mayor
their proposals, their reasons and their commune's orders) and, for bulletins,
``coordination.regional.bulletins.selectors.translatable`` (the CSIR, or the author).
Each ``rows`` is one query (``select_related``), whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent
from coordination.models import CoresDecision, CoresMeeting, User
from coordination.regional.bulletins import selectors as bulletin_selectors
from coordination.regional.bulletins import services as bulletin_services
from coordination.regional.bulletins.models import Bulletin
from coordination.regional.bulletins.permissions import visible_bulletins
from coordination.regional.cores import permissions as cores_permissions
from coordination.regional.translations.selectors import LIMIT, Provider, register
from hotspots import permissions as hotspot_permissions
from hotspots.models import Hotspot, MayorDecision, PoliceOrder
from hotspots.selectors import translations as rules
from hotspots.services.translations import TranslationConflict, content_translate, translate


def _get(
    user: User, visible: QuerySet, pk: int, fields: tuple[str, ...] | None = None
) -> tuple[BilingualContent, tuple[str, ...]]:
    obj = visible.filter(pk=pk).first()
    if obj is None:
        raise Http404
    allowed = rules.may_translate(user, obj) if fields is None else fields
    # Only the texts that exist: an empty reason has nothing to translate.
    allowed = tuple(name for name in allowed if getattr(obj, name))
    if not allowed:
        raise PermissionDenied
    return obj, allowed


# --- Hotspots: description and reason for closing ---------------------------------------


def _hotspot_rows(user: User) -> QuerySet[Hotspot]:
    return (
        Hotspot.objects.filter(rules.scope_hotspot(user))
        .filter(rules.needs_translation(Hotspot, user))
        .order_by("code")[:LIMIT]
    )


register(
    Provider(
        key="hotspot",
        label=_("Hotspot"),
        model=Hotspot,
        rows=_hotspot_rows,
        get=lambda user, pk: _get(user, hotspot_permissions.visible_hotspots(user), pk),
        save=content_translate,
        where=lambda hotspot: f"{hotspot.code} {hotspot.name}",
        url=lambda hotspot: reverse("hotspots:detail", args=[hotspot.pk]),
        conflicts=(TranslationConflict,),
        fields=rules.translatable_fields,
    )
)


# --- A mayor's reason for their decision ------------------------------------------------


def _decision_rows(user: User) -> QuerySet[MayorDecision]:
    return (
        MayorDecision.objects.filter(rules.scope_mayordecision(user))
        .filter(rules.needs_translation(MayorDecision, user))
        .select_related("hotspot", "commune")
        .order_by("-decided_at", "pk")[:LIMIT]
    )


def _decision_get(user: User, pk: int) -> tuple[BilingualContent, tuple[str, ...]]:
    visible = MayorDecision.objects.filter(
        hotspot__in=hotspot_permissions.visible_hotspots(user)
    ).select_related("hotspot", "commune")
    return _get(user, visible, pk)


def _decision_where(decision: Any) -> str:
    return f"{decision.hotspot.code} · {decision.commune}"


register(
    Provider(
        key="mayor-decision",
        label=_("Mayor's decision"),
        model=MayorDecision,
        rows=_decision_rows,
        get=_decision_get,
        save=content_translate,
        where=_decision_where,
        url=lambda decision: reverse("hotspots:detail", args=[decision.hotspot_id]),
        conflicts=(TranslationConflict,),
    )
)


# --- Police orders: signatory, legal basis, details of the measures ---------------------


def _order_rows(user: User) -> QuerySet[PoliceOrder]:
    return (
        PoliceOrder.objects.filter(rules.scope_policeorder(user))
        .filter(rules.needs_translation(PoliceOrder, user))
        .select_related("hotspot")
        .order_by("-valid_from", "-pk")[:LIMIT]
    )


def _order_where(order: Any) -> str:
    return f"{order.hotspot.code} · {order.title}" if order.hotspot_id else str(order.title)


register(
    Provider(
        key="police-order",
        label=_("Police order"),
        model=PoliceOrder,
        rows=_order_rows,
        get=lambda user, pk: _get(
            user, hotspot_permissions.visible_orders(user).select_related("hotspot"), pk
        ),
        save=content_translate,
        where=_order_where,
        url=lambda order: reverse("hotspots:order_detail", args=[order.pk]),
        conflicts=(TranslationConflict,),
    )
)


# --- Bulletins and good practices -------------------------------------------------------


def _bulletin_rows(user: User) -> QuerySet[Bulletin]:
    return (
        visible_bulletins(user)
        .filter(bulletin_selectors.translatable(user))
        .filter(Bulletin.needs_translation())
        .select_related("source_taskforce__hotspot")
        .order_by("-published_at")[:LIMIT]
    )


def _bulletin_get(user: User, pk: int) -> tuple[BilingualContent, tuple[str, ...]]:
    bulletin = visible_bulletins(user).filter(pk=pk).first()
    if bulletin is None:
        raise Http404
    if not Bulletin.objects.filter(bulletin_selectors.translatable(user), pk=pk).exists():
        raise PermissionDenied
    return bulletin, tuple(name for name in Bulletin.TRANSLATED_FIELDS if getattr(bulletin, name))


def _bulletin_where(bulletin: Any) -> str:
    source = bulletin.source_taskforce
    kind = bulletin.get_kind_display()
    return f"{kind} · {source.hotspot.code}" if source is not None else str(kind)


register(
    Provider(
        key="bulletin",
        label=_("Bulletin"),
        model=Bulletin,
        rows=_bulletin_rows,
        get=_bulletin_get,
        save=bulletin_services.bulletin_translate,
        where=_bulletin_where,
        url=lambda bulletin: reverse("bulletins:detail", args=[bulletin.pk]),
        conflicts=(TranslationConflict,),
    )
)


# --- The CoReS: a meeting's occasion and agenda, its decisions ---------------------------
# The CSIR records the CoReS' meetings and decisions, and translates them; its readers
# (CoReS members, mayors) see them (403), nobody else (404).


def _cores_translate[T: BilingualContent](
    *,
    obj: T,
    by: User,
    translations: Mapping[str, str],
    expected: Mapping[str, str] | None = None,
) -> T:
    allowed = obj.TRANSLATED_FIELDS if cores_permissions.can_record_cores(by) else ()
    return translate(obj=obj, by=by, translations=translations, allowed=allowed, expected=expected)


def _cores_get(model: type[BilingualContent], meeting_of: Callable[[Any], int]):
    def get(user: User, pk: int) -> tuple[BilingualContent, tuple[str, ...]]:
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None:
            raise Http404
        cores_permissions.get_cores_meeting_for(user, meeting_of(obj), "record")
        fields = tuple(name for name in obj.TRANSLATED_FIELDS if getattr(obj, name))
        if not fields:
            raise PermissionDenied
        return obj, fields

    return get


def _cores_rows(model: type[BilingualContent], related: tuple[str, ...], order: str):
    def rows(user: User) -> QuerySet:
        if not cores_permissions.can_record_cores(user):
            return model._default_manager.none()
        rows = model._default_manager.filter(model.needs_translation())
        if related:
            rows = rows.select_related(*related)
        return rows.order_by(order, "-pk")[:LIMIT]

    return rows


register(
    Provider(
        key="cores-meeting",
        label=_("CoReS meeting"),
        model=CoresMeeting,
        rows=_cores_rows(CoresMeeting, (), "-held_on"),
        get=_cores_get(CoresMeeting, lambda meeting: meeting.pk),
        save=_cores_translate,
        where=lambda meeting: str(meeting),
        url=lambda meeting: reverse("cores:detail", args=[meeting.pk]),
        conflicts=(TranslationConflict,),
    )
)

register(
    Provider(
        key="cores-decision",
        label=_("CoReS decision"),
        model=CoresDecision,
        rows=_cores_rows(CoresDecision, ("meeting",), "-meeting__held_on"),
        get=_cores_get(CoresDecision, lambda decision: decision.meeting_id),
        save=_cores_translate,
        where=lambda decision: str(decision),
        url=lambda decision: reverse("cores:detail", args=[decision.meeting_id]),
        conflicts=(TranslationConflict,),
    )
)
