"""Who is told what about hotspots. Called by the Celery tasks; testable without Celery."""

from __future__ import annotations

from django.urls import reverse

from coordination.mail import send_to_people
from coordination.models import User
from hotspots.models import Hotspot, MayorDecision

CSIR_ROLES = [User.Role.CSIR_COORDINATOR, User.Role.CSIR_ANALYST]


def csir_people():
    return User.objects.filter(role__in=CSIR_ROLES, is_active=True)


def decision_requested(hotspot_id: int) -> int:
    """E-mail the mayors whose decision on the hotspot is still pending."""
    hotspot = Hotspot.objects.get(pk=hotspot_id)
    pending = MayorDecision.objects.filter(
        hotspot=hotspot, decision=MayorDecision.Decision.PENDING
    ).values("commune_id")
    mayors = User.objects.filter(role=User.Role.MAYOR, commune_id__in=pending, is_active=True)
    return send_to_people(
        mayors,
        template="hotspots/email/decision_requested",
        context={"hotspot": hotspot, "path": reverse("hotspots:decide", args=[hotspot.pk])},
    )


def hotspot_settled(hotspot_id: int) -> int:
    """Tell the CSIR and the proposer that every mayor approved, or that one rejected."""
    hotspot = Hotspot.objects.select_related("proposed_by").get(pk=hotspot_id)
    people = {person.pk: person for person in csir_people()}
    people[hotspot.proposed_by_id] = hotspot.proposed_by
    return send_to_people(
        people.values(),
        template="hotspots/email/hotspot_settled",
        context={"hotspot": hotspot, "path": reverse("hotspots:detail", args=[hotspot.pk])},
    )
