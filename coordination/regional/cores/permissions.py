"""Who reads and records the CoReS' meetings and decisions."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coordination.models import CoresMeeting, User
from coordination.people import permissions as policy

CoresPerm = Literal["view", "record"]


def can_read_cores(user: User | AnonymousUser) -> bool:
    """The CSIR works on the CoReS' record; CoReS members and mayors read it."""
    return policy.can_read_regional_overview(user)


def can_record_cores(user: User | AnonymousUser) -> bool:
    """Only the CSIR (coordinator and analyst) records meetings and decisions."""
    return policy.is_csir(user)


def get_cores_meeting_for(user: User, pk: int, perm: CoresPerm = "view") -> CoresMeeting:
    """The meeting ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    if not can_read_cores(user):
        raise Http404
    meeting = CoresMeeting.objects.select_related("created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if perm == "record" and not can_record_cores(user):
        raise PermissionDenied
    return meeting
