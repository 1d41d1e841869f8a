"""The task forces' texts on the "to translate" list: actions, timeline notes, escalations,
meetings (place, agenda, minutes), agenda points, decisions, displacement reports and
their follow-ups. Who may translate what: ``taskforces.selectors.translations``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent
from coordination.models import User
from coordination.regional.translations.selectors import LIMIT, Provider, register
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionUpdate,
    DisplacementFollowUp,
    DisplacementReport,
    Escalation,
    Meeting,
    MeetingDecision,
    MeetingPoint,
)
from taskforces.selectors import translations as rules
from taskforces.services.translations import TranslationConflict, content_translate


def _rows(model: type[BilingualContent], related: tuple[str, ...], order: str):
    def rows(user: User) -> list[Any]:
        condition = rules.SCOPES[model](user) & rules.needs_translation(model, user)
        return list(
            model._default_manager.filter(condition)
            .select_related(*related)
            .order_by(order, "-pk")[:LIMIT]
        )

    return rows


def _get(model: type[BilingualContent], seen: Callable[[User, Any], object]):
    """The item and the fields ``user`` may translate: 404 unseen, 403 seen but not theirs."""

    def get(user: User, pk: int) -> tuple[BilingualContent, tuple[str, ...]]:
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None:
            raise Http404
        seen(user, obj)  # raises Http404 when the item is hidden from ``user``
        fields = tuple(name for name in rules.may_translate(user, obj) if getattr(obj, name))
        if not fields:
            raise PermissionDenied
        return obj, fields

    return get


def _seen_action(user: User, action_id: int) -> Action:
    return permissions.get_action_for(user, action_id)


def _seen_update(user: User, update: ActionUpdate) -> None:
    action = _seen_action(user, update.action_id)
    if not permissions.visible_updates(user, action).filter(pk=update.pk).exists():
        raise Http404


def _seen_decision(user: User, decision: MeetingDecision) -> None:
    permissions.get_meeting_for(user, decision.meeting_id)


def _hotspot(obj: Any, path: str) -> str:
    for name in path.split("__"):
        obj = getattr(obj, name)
    return f"{obj.code} {obj.name}"


def _action_url(obj: Any) -> str:
    return reverse("taskforces:action", args=[obj.pk if isinstance(obj, Action) else obj.action_id])


def _meeting_url(obj: Any) -> str:
    return reverse(
        "taskforces:meeting", args=[obj.pk if isinstance(obj, Meeting) else obj.meeting_id]
    )


def _report_url(obj: Any) -> str:
    report_id = obj.pk if isinstance(obj, DisplacementReport) else obj.report_id
    return reverse("taskforces:displacement_detail", args=[report_id])


def _provider(
    key: str,
    label: Any,
    model: type[Model],
    *,
    related: tuple[str, ...],
    hotspot: str,
    order: str,
    seen: Callable[[User, Any], object],
    url: Callable[[Any], str],
) -> None:
    register(
        Provider(
            key=key,
            label=label,
            model=model,  # type: ignore[arg-type]
            rows=_rows(model, related, order),  # type: ignore[arg-type]
            get=_get(model, seen),  # type: ignore[arg-type]
            save=content_translate,
            where=lambda obj: _hotspot(obj, hotspot),
            url=url,
            conflicts=(TranslationConflict,),
            fields=rules.translatable_fields,
        )
    )


_provider(
    "action",
    _("Action"),
    Action,
    related=("plan__taskforce__hotspot",),
    hotspot="plan__taskforce__hotspot",
    order="-updated_at",
    seen=lambda user, obj: _seen_action(user, obj.pk),
    url=_action_url,
)
_provider(
    "action-update",
    _("Timeline note"),
    ActionUpdate,
    related=("action__plan__taskforce__hotspot",),
    hotspot="action__plan__taskforce__hotspot",
    order="-at",
    seen=_seen_update,
    url=_action_url,
)
_provider(
    "escalation",
    _("Escalation"),
    Escalation,
    related=("action__plan__taskforce__hotspot",),
    hotspot="action__plan__taskforce__hotspot",
    order="-raised_at",
    seen=lambda user, obj: permissions.get_escalation_for(user, obj.pk),
    url=_action_url,
)
_provider(
    "meeting",
    _("Meeting"),
    Meeting,
    related=("taskforce__hotspot",),
    hotspot="taskforce__hotspot",
    order="-starts_at",
    seen=lambda user, obj: permissions.get_meeting_for(user, obj.pk),
    url=_meeting_url,
)
_provider(
    "meeting-point",
    _("Agenda point"),
    MeetingPoint,
    related=("meeting__taskforce__hotspot",),
    hotspot="meeting__taskforce__hotspot",
    order="-meeting__starts_at",
    seen=lambda user, obj: permissions.get_meeting_point_for(user, obj.pk, "view"),
    url=_meeting_url,
)
_provider(
    "meeting-decision",
    _("Meeting decision"),
    MeetingDecision,
    related=("meeting__taskforce__hotspot",),
    hotspot="meeting__taskforce__hotspot",
    order="-created_at",
    seen=_seen_decision,
    url=_meeting_url,
)
_provider(
    "displacement",
    _("Displacement report"),
    DisplacementReport,
    related=("from_hotspot",),
    hotspot="from_hotspot",
    order="-reported_at",
    seen=lambda user, obj: permissions.get_displacement_for(user, obj.pk),
    url=_report_url,
)
_provider(
    "displacement-follow-up",
    _("Displacement follow-up"),
    DisplacementFollowUp,
    related=("report__from_hotspot",),
    hotspot="report__from_hotspot",
    order="-at",
    seen=lambda user, obj: permissions.get_displacement_for(user, obj.report_id),
    url=_report_url,
)
