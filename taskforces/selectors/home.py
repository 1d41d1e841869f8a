"""The task-force panels of the home page: my work, and the CSIR's summary."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from coordination.models import User
from coordination.people import permissions as policy
from taskforces import permissions
from taskforces.models import (
    Action,
    AnnexVersion,
    Meeting,
    PlanVersion,
)
from taskforces.selectors.actions import (
    Status,
    for_lists,
    late_condition,
    open_escalations_of,
)


def home_summary(user: User) -> dict[str, Any] | None:
    """For a task-force member's home page: late or blocked actions, next meetings."""
    granted = permissions.granted_taskforces(user)
    if not granted.exists():
        return None
    today = timezone.localdate()
    attention = list(
        for_lists(
            Action.objects.filter(permissions.my_actions_filter(user)).filter(
                late_condition(today) | Q(status=Status.BLOCKED)
            )
        )
        .select_related("plan__taskforce__hotspot")
        .order_by("due_on", "pk")[:10]
    )
    meetings = list(
        Meeting.objects.filter(
            taskforce__in=granted.values("pk"),
            starts_at__gte=timezone.now(),
        )
        .select_related("taskforce__hotspot")
        .order_by("starts_at")[:5]
    )
    return {"actions": attention, "meetings": meetings}


def csir_summary(user: User) -> dict[str, Any]:
    """For the CSIR's home page: open escalations and plans awaiting validation."""
    latest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number")
    awaiting = (
        PlanVersion.objects.filter(state=PlanVersion.State.SUBMITTED)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("plan__taskforce__hotspot")
        .order_by("submitted_at")
    )
    can_review = policy.is_csir_coordinator(user)
    # The police-judicial annexes wait for the coordinator too; only they learn of them.
    annexes: list[AnnexVersion] = []
    if can_review:
        annexes = list(
            AnnexVersion.objects.filter(state=AnnexVersion.State.SUBMITTED)
            .select_related("plan__taskforce__hotspot")
            .order_by("submitted_at")
        )
    return {
        "escalations": open_escalations_of(user),
        "awaiting": list(awaiting),
        "annexes": annexes,
        "can_review": can_review,
    }
