"""Writes on hotspots and the mayors' decisions. Each one is audited and atomic."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import cast

import shapely
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from coordination.audit import services as audit
from coordination.core import geo
from coordination.core.drift import Drift
from coordination.models import Commune, User
from coordination.people import permissions as policy
from coordination.reference import selectors as reference_selectors
from coordination.strategy import selectors
from hotspots import events, notifications, permissions
from hotspots.models import Hotspot, MayorDecision

Status = Hotspot.Status
Decision = MayorDecision.Decision
EDITABLE_FIELDS = ["name_fr", "name_nl", "description", "phenomena"]


def check_perimeter(perimeter: dict | str | None, communes: Iterable[Commune]) -> dict | None:
    """A valid GeoJSON polygon inside the region touching each named commune, or an error."""
    if not perimeter:
        return None
    communes = list(communes)
    area = geo.parse_area(perimeter)
    all_communes = {c.nis_code: c for c in reference_selectors.communes()}
    geo.validate_perimeter(
        area,
        communes={code: c.boundary for code, c in all_communes.items()},
        named_codes=[c.nis_code for c in communes],
        names={code: c.name for code, c in all_communes.items()},
    )
    # Store the plain geometry, whatever was pasted (a Feature, a one-feature collection).
    return json.loads(shapely.to_geojson(area))


@transaction.atomic
def hotspot_propose(
    *,
    by: User,
    code: str,
    name_fr: str,
    name_nl: str,
    communes: Iterable[Commune],
    description: str = "",
    phenomena: list[str] | None = None,
    perimeter: dict | None = None,
) -> Hotspot:
    """Record a proposal (CSIR, or a mayor in their own commune). Nothing is asked yet."""
    if not permissions.can_propose_hotspot(by):
        raise PermissionDenied
    communes = list(communes)
    if not communes:
        raise ValidationError(_("A hotspot lies in at least one commune."))
    if not policy.is_csir(by) and any(c.pk != by.commune_id for c in communes):
        raise ValidationError(_("A mayor proposes hotspots in their own commune."))
    hotspot = Hotspot.objects.create(
        code=code,
        name_fr=name_fr,
        name_nl=name_nl,
        description=description,
        phenomena=phenomena or [],
        perimeter=check_perimeter(perimeter, communes),
        proposed_by=by,
        period=selectors.current_period(),
    )
    hotspot.communes.set(communes)
    audit.record(
        actor=by,
        action="hotspot.propose",
        target=hotspot,
        changes={"communes": [c.nis_code for c in communes], "phenomena": hotspot.phenomena},
    )
    return hotspot


@transaction.atomic
def hotspot_update(*, hotspot: Hotspot, by: User, **fields) -> Hotspot:
    """Change the description fields of a hotspot (not its status, not its decisions)."""
    if not permissions.can_change_hotspot(by, hotspot):
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    before = audit.snapshot(hotspot, list(fields))
    for name, value in fields.items():
        setattr(hotspot, name, value)
    hotspot.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(hotspot, list(fields)))
    if changes:
        audit.record(actor=by, action="hotspot.update", target=hotspot, changes=changes)
    return hotspot


@transaction.atomic
def hotspot_set_perimeter(*, hotspot: Hotspot, by: User, perimeter: dict | str) -> Hotspot:
    """Replace the perimeter after validating it; an invalid one raises GeometryError."""
    if not permissions.can_change_hotspot(by, hotspot):
        raise PermissionDenied
    checked = check_perimeter(perimeter, hotspot.communes.all())
    had_perimeter = hotspot.perimeter is not None
    hotspot.perimeter = checked
    hotspot.save(update_fields=["perimeter"])
    audit.record(
        actor=by,
        action="hotspot.perimeter",
        target=hotspot,
        changes={"perimeter": ["replaced" if had_perimeter else "none", "set"]},
    )
    return hotspot


@transaction.atomic
def hotspot_request_approval(*, hotspot: Hotspot, by: User) -> Hotspot:
    """Ask the mayor of every concerned commune for a decision, by e-mail too."""
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if not permissions.can_request_approval(by, hotspot):
        raise PermissionDenied
    if hotspot.status != Status.PROPOSED:
        raise ValidationError(_("Only a proposed hotspot can be sent to the mayors."))
    now = timezone.now()
    for commune in hotspot.communes.all():
        MayorDecision.objects.create(hotspot=hotspot, commune=commune, requested_at=now)
    # Each concerned mayor may decide, for their commune, until they have.
    for mayor in permissions.mayors_of(hotspot.communes.all()):
        assign_perm(permissions.DECIDE_PERM, mayor, hotspot)
    hotspot.status = Status.AWAITING_APPROVAL
    hotspot.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="hotspot.request_approval",
        target=hotspot,
        changes={"status": [Status.PROPOSED, Status.AWAITING_APPROVAL]},
    )
    # Told in the same transaction (their e-mails leave through the outbox).
    notifications.decision_requested(hotspot.pk)
    return hotspot


@transaction.atomic
def hotspot_decide(*, hotspot: Hotspot, by: User, approve: bool, reason: str = "") -> MayorDecision:
    """Record a mayor's decision for their commune, once; settle the hotspot when it can be.

    Approved when every concerned commune approved; one rejection rejects it. A decision
    is signed (who) and dated (when) and never changes afterwards.
    """
    # Lock the hotspot: two mayors deciding at the same moment must not both see
    # "one decision still pending" and leave the hotspot unsettled.
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if hotspot.status != Status.AWAITING_APPROVAL:
        raise ValidationError(_("This hotspot is not awaiting decisions."))
    decision = (
        MayorDecision.objects.select_for_update()
        .filter(hotspot=hotspot, commune_id=cast(int, by.commune_id))
        .first()
    )
    if (
        decision is None
        or by.role != User.Role.MAYOR
        or not policy.checker_for(by).has_perm(permissions.DECIDE_CODENAME, hotspot)
    ):
        raise ValidationError(_("Only the mayor of a concerned commune decides on this hotspot."))
    if decision.decision != Decision.PENDING:
        raise ValidationError(_("Your commune has already decided; a decision cannot be changed."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for rejecting the hotspot."))
    decision.decision = Decision.APPROVE if approve else Decision.REJECT
    decision.reason = reason.strip()
    decision.decided_by = by
    decision.decided_at = timezone.now()
    decision.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    # The commune has decided: its mayors' permission to decide ends with it.
    for mayor in permissions.mayors_of([decision.commune]):
        remove_perm(permissions.DECIDE_PERM, mayor, hotspot)
    audit.record(
        actor=by,
        action="hotspot.decide",
        target=hotspot,
        changes={
            "commune": decision.commune.nis_code,
            "decision": decision.decision,
            "reason": decision.reason,
        },
    )
    _settle(hotspot, by=by)
    return decision


def _settle(hotspot: Hotspot, *, by: User) -> None:
    decisions = list(hotspot.decisions.values_list("decision", flat=True))
    if Decision.REJECT in decisions:
        new_status = Status.REJECTED
    elif decisions and all(d == Decision.APPROVE for d in decisions):
        new_status = Status.APPROVED
    else:
        return
    hotspot.status = new_status
    fields = ["status"]
    if new_status == Status.APPROVED:
        hotspot.approved_at = timezone.now()
        fields.append("approved_at")
    hotspot.save(update_fields=fields)
    audit.record(
        actor=by,
        action=f"hotspot.{new_status}",
        target=hotspot,
        changes={"status": [Status.AWAITING_APPROVAL, new_status]},
    )
    if new_status == Status.APPROVED:
        # Approval is the moment the hotspot's Local Task Force comes to exist.
        events.hotspot_approved.send(sender=Hotspot, hotspot=hotspot, by=by)
    notifications.hotspot_settled(hotspot.pk)


@transaction.atomic
def hotspot_activate(*, hotspot: Hotspot, by: User) -> Hotspot:
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if hotspot.status != Status.APPROVED:
        raise ValidationError(_("Only an approved hotspot can be activated."))
    hotspot.status = Status.ACTIVE
    hotspot.activated_at = timezone.now()
    hotspot.save(update_fields=["status", "activated_at"])
    audit.record(
        actor=by,
        action="hotspot.activate",
        target=hotspot,
        changes={"status": [Status.APPROVED, Status.ACTIVE]},
    )
    return hotspot


@transaction.atomic
def hotspot_close(*, hotspot: Hotspot, by: User, reason: str) -> Hotspot:
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if hotspot.status not in (Status.APPROVED, Status.ACTIVE):
        raise ValidationError(_("Only an approved or active hotspot can be closed."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for closing the hotspot."))
    previous = hotspot.status
    hotspot.status = Status.CLOSED
    hotspot.closed_at = timezone.now()
    hotspot.closure_reason = reason.strip()
    hotspot.save(update_fields=["status", "closed_at", "closure_reason"])
    audit.record(
        actor=by,
        action="hotspot.close",
        target=hotspot,
        changes={"status": [previous, Status.CLOSED], "reason": hotspot.closure_reason},
    )
    return hotspot


def decide_grants_sync(*, person: User, **kwargs: object) -> None:
    """Subscriber of ``person_changed``: an active mayor may decide the hotspots awaiting
    their commune's decision; anybody else holds no such permission."""
    # ``commune_id`` None (not a mayor) reads as IS NULL: the stubs refuse None.
    pending = Hotspot.objects.filter(  # type: ignore[misc]
        status=Status.AWAITING_APPROVAL,
        decisions__commune_id=person.commune_id,
        decisions__decision=Decision.PENDING,
    )
    held = get_objects_for_user(
        person,
        permissions.DECIDE_PERM,
        klass=Hotspot,
        with_superuser=False,
        accept_global_perms=False,
    )
    wanted = pending if (person.is_active and person.role == User.Role.MAYOR) else pending.none()
    for hotspot in held.exclude(pk__in=wanted.values("pk")):
        remove_perm(permissions.DECIDE_PERM, person, hotspot)
    for hotspot in wanted.exclude(pk__in=held.values("pk")):
        assign_perm(permissions.DECIDE_PERM, person, hotspot)


def decide_grants_drift(*, repair: bool) -> list[Drift]:
    """Compare who may decide on each hotspot with the pending decisions and the mayors."""
    wanted: set[tuple[int, int]] = set()
    pending = MayorDecision.objects.filter(
        decision=Decision.PENDING, hotspot__status=Status.AWAITING_APPROVAL
    ).values_list("hotspot_id", "commune_id")
    mayors: dict[int, list[int]] = {}
    for mayor_id, commune_id in permissions.mayors_of(Commune.objects.all()).values_list(
        "pk", "commune_id"
    ):
        mayors.setdefault(commune_id, []).append(mayor_id)
    for hotspot_id, commune_id in pending:
        wanted |= {(mayor_id, hotspot_id) for mayor_id in mayors.get(commune_id, [])}
    held = {
        (user_id, int(object_pk))
        for user_id, object_pk in UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Hotspot),
            permission__codename=permissions.DECIDE_CODENAME,
        ).values_list("user_id", "object_pk")
    }
    users = User.objects.in_bulk({user for user, _h in wanted | held})
    hotspots = Hotspot.objects.in_bulk({hotspot for _u, hotspot in wanted | held})
    drifts = []
    for user_id, hotspot_id in sorted(wanted ^ held):
        user, hotspot = users[user_id], hotspots.get(hotspot_id)
        if hotspot is None:
            continue
        missing = (user_id, hotspot_id) in wanted
        drifts.append(Drift(missing, permissions.DECIDE_PERM, str(user), str(hotspot), hotspot))
        if not repair:
            continue
        if missing:
            assign_perm(permissions.DECIDE_PERM, user, hotspot)
        else:
            remove_perm(permissions.DECIDE_PERM, user, hotspot)
        audit.record(
            actor=None,
            action="permission.repair",
            target=hotspot,
            changes={
                "permission": permissions.DECIDE_PERM,
                "holder": str(user),
                "granted": missing,
            },
        )
    return drifts
