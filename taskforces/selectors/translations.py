"""Who may translate which texts of the task forces (the "to translate" list, the services).

The author writes in their language; the translation into the other one is added by the
author or by the CSIR (DESIGN.md §8, issue 12):

- the CSIR (coordinator and analysts) translates everything it sees: every task force,
  police-judicial items only for the coordinator (``coordination.people.confidentiality``);
- anybody else translates their own texts: the actions they may edit (the plan's editors
  and the lead agency), the meeting records of the task forces whose meetings they keep,
  their timeline notes, the escalation reasons they wrote, their displacement reports and
  follow-ups; always only while they still see the item.

``scope_<model>(user)`` is the condition on rows ``user`` may translate (one query per
list, however many rows); ``translatable_fields(user, obj)`` the fields of one row they
may translate (a resolution or a closure note is the CSIR's text, not the reporter's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, Q
from guardian.shortcuts import get_objects_for_user

from coordination.core.bilingual import BilingualContent
from coordination.models import User
from coordination.people import confidentiality
from coordination.people import permissions as policy
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
    TaskForce,
)

NOTHING = Q(pk__in=[])

# The texts of a row written by someone else than its first author: only the CSIR, who
# wrote them, translates them from the list.
CSIR_TEXTS: dict[type[Model], frozenset[str]] = {
    Escalation: frozenset({"resolution"}),
    DisplacementReport: frozenset({"closure_note"}),
}


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _granted(user: User, codename: str) -> Any:
    return get_objects_for_user(
        user, codename, klass=TaskForce, with_superuser=False, accept_global_perms=False
    ).values("pk")


def _seen(user: User, taskforce: str, prefix: str = "") -> Q:
    """Within the task forces ``user`` sees, police-judicial items only where they may."""
    circle = permissions.circle_taskforces(user).values("pk")
    seen = confidentiality.visible_across(user, circle, taskforce=taskforce, prefix=prefix)
    if policy.is_csir(user):
        return seen
    return seen & Q(**{f"{taskforce}__in": permissions.visible_taskforces(user).values("pk")})


def scope_action(user: User) -> Q:
    if not _active(user):
        return NOTHING
    seen = _seen(user, "plan__taskforce")
    if policy.is_csir(user):
        return seen
    led = get_objects_for_user(
        user,
        f"taskforces.{permissions.LEAD_CODENAME}",
        klass=Action,
        with_superuser=False,
        accept_global_perms=False,
    ).values("pk")
    contributing = permissions.contributing_taskforces(user).values("pk")
    editors = Q(plan__taskforce__in=_granted(user, "taskforces.edit_plan"))
    leads = Q(pk__in=led, plan__taskforce__in=contributing)
    return seen & (editors | leads)


def scope_actionupdate(user: User) -> Q:
    if not _active(user):
        return NOTHING
    seen = _seen(user, "action__plan__taskforce") & _seen(
        user, "action__plan__taskforce", prefix="action__"
    )
    return seen if policy.is_csir(user) else seen & Q(author=user)


def scope_escalation(user: User) -> Q:
    if not _active(user):
        return NOTHING
    seen = _seen(user, "action__plan__taskforce", prefix="action__")
    return seen if policy.is_csir(user) else seen & Q(raised_by=user)


def _meetings(user: User, taskforce: str) -> Q:
    if not _active(user):
        return NOTHING
    if policy.is_csir(user):
        return Q()
    return Q(**{f"{taskforce}__in": _granted(user, "taskforces.schedule_meetings")})


def scope_meeting(user: User) -> Q:
    return _meetings(user, "taskforce")


def scope_meetingpoint(user: User) -> Q:
    return _meetings(user, "meeting__taskforce")


def scope_meetingdecision(user: User) -> Q:
    return _meetings(user, "meeting__taskforce")


def scope_displacementreport(user: User) -> Q:
    if not _active(user):
        return NOTHING
    return Q() if policy.is_csir(user) else Q(reported_by=user)


def scope_displacementfollowup(user: User) -> Q:
    if not _active(user):
        return NOTHING
    if policy.is_csir(user):
        return Q()
    visible = permissions.visible_displacements(user).values("pk")
    return Q(author=user, report__in=visible)


SCOPES: dict[type[Model], Callable[[User], Q]] = {
    Action: scope_action,
    ActionUpdate: scope_actionupdate,
    Escalation: scope_escalation,
    Meeting: scope_meeting,
    MeetingPoint: scope_meetingpoint,
    MeetingDecision: scope_meetingdecision,
    DisplacementReport: scope_displacementreport,
    DisplacementFollowUp: scope_displacementfollowup,
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
    """Rows ``user`` may translate that still miss a translation of a text they may do."""
    if policy.is_csir(user):
        return model.needs_translation()
    reserved = CSIR_TEXTS.get(model, frozenset())
    condition = Q()
    for name in model.TRANSLATED_FIELDS:
        if name not in reserved:
            condition |= ~Q(**{name: ""}) & Q(**{f"{name}_translation": ""})
    return condition
