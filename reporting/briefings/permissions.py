"""Who may prepare, see and read CoReS briefings (DESIGN.md §5 and §6).

- The CSIR coordinator prepares a briefing (draft), writes the decisions asked and
  freezes it; the CSIR analysts see every briefing but change none (403).
- The CoReS readers (CoReS members and mayors, as for the regional report) see frozen
  briefings only: a draft answers them 404, as it does to everyone else.
- The PDFs are reports of kind "briefing": who downloads which version is decided by
  ``reporting.permissions.visible_reports`` (published CoReS version for the readers,
  police-judicial version for the coordinator only).
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from coordination.models import User
from coordination.people import permissions as policy
from reporting.models import Briefing

BriefingPerm = Literal["view", "change"]


def can_prepare(user: User | AnonymousUser) -> bool:
    return policy.is_csir_coordinator(user)


def can_read(user: User | AnonymousUser) -> bool:
    """Whether the briefings' list is open to ``user`` at all."""
    return policy.is_csir(user) or policy.is_cores_member(user) or policy.is_mayor(user)


def visible_briefings(user: User | AnonymousUser) -> QuerySet[Briefing]:
    """The briefings ``user`` may see: every one for the CSIR, frozen ones for the CoReS."""
    briefings = Briefing.objects.all()
    if policy.is_csir(user):
        return briefings
    if can_read(user):
        return briefings.filter(status=Briefing.Status.FROZEN)
    return briefings.none()


def get_briefing_for(user: User | AnonymousUser, pk: int, perm: BriefingPerm = "view") -> Briefing:
    """The briefing ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed.

    Changing a frozen briefing is refused by the services (a frozen briefing is final).
    """
    briefing = (
        visible_briefings(user).select_related("meeting", "created_by", "frozen_by").filter(pk=pk)
    ).first()
    if briefing is None:
        raise Http404
    if perm == "change" and not can_prepare(user):
        raise PermissionDenied
    return briefing
