"""Writes on hotspots and the mayors' decisions. Each one is audited and atomic."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

import shapely
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from coordination.audit import services as audit
from coordination.core import geo
from coordination.core.bilingual import CONTENT_LANGUAGES, default_language
from coordination.core.drift import Drift
from coordination.models import Commune, User
from coordination.people import permissions as policy
from coordination.reference import selectors as reference_selectors
from coordination.strategy import selectors
from hotspots import events, notifications, permissions
from hotspots.models import Hotspot, MayorDecision, PerimeterDecision, PerimeterVersion
from hotspots.selectors.hotspots import area_m2, perimeter_facts

Status = Hotspot.Status
Decision = MayorDecision.Decision
Version = PerimeterVersion.State
PDecision = PerimeterDecision.Decision
EDITABLE_FIELDS = [
    "name_fr",
    "name_nl",
    "description",
    "phenomena",
    # The language of the description (and of the reason for closing) and the translations.
    "language",
    "description_translation",
    "closure_reason_translation",
]


def content_language(language: str | None) -> str:
    """``language`` if it is a content language, else the author's (from their interface)."""
    return language if language in dict(CONTENT_LANGUAGES) else default_language()


# Once the mayors approved a hotspot its perimeter is in force: a change goes back to them.
GOVERNED_STATUSES = (Status.APPROVED, Status.ACTIVE)


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


def perimeter_centre(perimeter: dict | None) -> list[float] | None:
    """[lon, lat] of a point inside ``perimeter`` (None without one), stored beside it in
    ``Hotspot.perimeter_centre`` whenever a service writes ``Hotspot.perimeter``: the maps'
    arrows and markers read it instead of parsing the perimeter on every request."""
    if not perimeter:
        return None
    lon, lat = geo.area_center(perimeter)
    return [lon, lat]


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
    language: str | None = None,
    description_translation: str = "",
) -> Hotspot:
    """Record a proposal (CSIR, or a mayor in their own commune). Nothing is asked yet.

    ``language`` is that of the description (default: the author's, from their interface);
    ``description_translation`` the description in the other language.
    """
    if not permissions.can_propose_hotspot(by):
        raise PermissionDenied
    communes = list(communes)
    if not communes:
        raise ValidationError(_("A hotspot lies in at least one commune."))
    if not policy.is_csir(by) and any(c.pk != by.commune_id for c in communes):
        raise ValidationError(_("A mayor proposes hotspots in their own commune."))
    checked = check_perimeter(perimeter, communes)
    hotspot = Hotspot.objects.create(
        code=code,
        name_fr=name_fr,
        name_nl=name_nl,
        description=description.strip(),
        description_translation=description_translation.strip(),
        language=content_language(language),
        phenomena=phenomena or [],
        perimeter=checked,
        perimeter_centre=perimeter_centre(checked),
        proposed_by=by,
        period=selectors.current_period(),
    )
    hotspot.communes.set(communes)
    changes: dict[str, Any] = {
        "communes": [c.nis_code for c in communes],
        "phenomena": hotspot.phenomena,
        "language": hotspot.language,
        "description_translation": hotspot.description_translation,
    }
    if hotspot.perimeter is not None:
        draft = _new_version(hotspot, by=by, geometry=hotspot.perimeter, state=Version.DRAFT)
        changes["perimeter_version"] = draft.number
        changes.update(perimeter_facts(None, draft.geometry))
    audit.record(actor=by, action="hotspot.propose", target=hotspot, changes=changes)
    return hotspot


@transaction.atomic
def hotspot_update(*, hotspot: Hotspot, by: User, **fields) -> Hotspot:
    """Change the description fields of a hotspot (not its status, not its decisions)."""
    if not permissions.can_change_hotspot(by, hotspot):
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    if "language" in fields:
        fields["language"] = content_language(fields["language"])
    before = audit.snapshot(hotspot, list(fields))
    for name, value in fields.items():
        setattr(hotspot, name, value.strip() if isinstance(value, str) else value)
    hotspot.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(hotspot, list(fields)))
    if changes:
        audit.record(actor=by, action="hotspot.update", target=hotspot, changes=changes)
    return hotspot


# --- Perimeters and their versions -----------------------------------------------------


def _same_geometry(a: dict | None, b: dict | None) -> bool:
    if not a or not b:
        return a == b
    try:
        return bool(geo.parse_area(a).equals(geo.parse_area(b)))
    except geo.GeometryError:
        return False


def _new_version(
    hotspot: Hotspot, *, by: User, geometry: dict, state: str, reason: str = ""
) -> PerimeterVersion:
    last = hotspot.perimeter_versions.order_by("-number").values_list("number", flat=True).first()
    now = timezone.now()
    return PerimeterVersion.objects.create(
        hotspot=hotspot,
        number=(last or 0) + 1,
        geometry=geometry,
        area_m2=area_m2(geometry),
        state=state,
        reason=reason,
        proposed_by=by,
        proposed_at=now,
        in_force_from=now if state == Version.IN_FORCE else None,
    )


def _end(version: PerimeterVersion, state: str) -> None:
    version.state = state
    version.ended_at = timezone.now()
    version.save(update_fields=["state", "ended_at"])


def current_version(hotspot: Hotspot, *, by: User | None = None) -> PerimeterVersion | None:
    """The version ``hotspot.perimeter`` is: the one in force once approved, the working
    draft before. A perimeter written before versions existed (or outside the services)
    becomes a version here, so a change never loses it; ``by`` signs that version."""
    state = Version.IN_FORCE if hotspot.status in GOVERNED_STATUSES else Version.DRAFT
    version = hotspot.perimeter_versions.filter(state=state).first()
    if version is not None or hotspot.perimeter is None or by is None:
        return version
    version = _new_version(hotspot, by=hotspot.proposed_by, geometry=hotspot.perimeter, state=state)
    # Dated as the data migration dates version 1: proposed with the hotspot, in force
    # since its approval.
    version.proposed_at = hotspot.proposed_at
    if state == Version.IN_FORCE:
        version.in_force_from = hotspot.approved_at or hotspot.proposed_at
    version.save(update_fields=["proposed_at", "in_force_from"])
    audit.record(
        actor=by,
        action="hotspot.perimeter_recorded",
        target=hotspot,
        changes={"perimeter_version": version.number, "state": state},
    )
    return version


def pending_change(hotspot: Hotspot) -> PerimeterVersion | None:
    """The proposed perimeter awaiting the mayors, if any (one at a time)."""
    return hotspot.perimeter_versions.filter(state=Version.PROPOSED).first()


@transaction.atomic
def hotspot_set_perimeter(
    *, hotspot: Hotspot, by: User, perimeter: dict | str, reason: str = ""
) -> PerimeterVersion:
    """Record a new perimeter after validating it (an invalid one raises GeometryError).

    Before the mayors approved the hotspot it replaces the working draft (the old draft is
    kept as a superseded version). Once approved, the perimeter in force stays in force:
    the new one is proposed to the mayors of the concerned communes, replacing (withdrawing)
    a change still pending, and comes into force when every one of them approved it.
    """
    # Locked: two changes at once must not both find "no pending change".
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if not permissions.can_change_hotspot(by, hotspot):
        raise PermissionDenied
    communes = list(hotspot.communes.all())
    checked = cast(dict, check_perimeter(perimeter, communes))
    current = current_version(hotspot, by=by)
    if hotspot.status not in GOVERNED_STATUSES:
        return _replace_draft(hotspot, by=by, draft=current, geometry=checked, reason=reason)
    if not reason.strip():
        raise ValidationError(_("Say why the perimeter changes: the mayors read it first."))
    if current is not None and _same_geometry(current.geometry, checked):
        raise ValidationError(_("This is the perimeter in force already: nothing to propose."))
    pending = pending_change(hotspot)
    if pending is not None and _same_geometry(pending.geometry, checked):
        raise ValidationError(_("This perimeter is already awaiting the mayors' decisions."))
    if pending is not None:
        _withdraw(pending, by=by)
    version = _new_version(
        hotspot, by=by, geometry=checked, state=Version.PROPOSED, reason=reason.strip()
    )
    now = timezone.now()
    PerimeterDecision.objects.bulk_create(
        PerimeterDecision(version=version, hotspot=hotspot, commune=commune, requested_at=now)
        for commune in communes
    )
    for mayor in permissions.mayors_of(communes):
        assign_perm(permissions.DECIDE_PERM, mayor, hotspot)
    audit.record(
        actor=by,
        action="hotspot.perimeter_propose",
        target=hotspot,
        changes={
            "perimeter_version": [current.number if current else None, version.number],
            "in_force": current.number if current else None,
            "withdrawn": pending.number if pending else None,
            "communes": [c.nis_code for c in communes],
            "reason": version.reason,
            **perimeter_facts(current.geometry if current else None, checked),
        },
    )
    notifications.perimeter_change_requested(version.pk)
    return version


def _replace_draft(
    hotspot: Hotspot, *, by: User, draft: PerimeterVersion | None, geometry: dict, reason: str
) -> PerimeterVersion:
    if draft is not None and _same_geometry(draft.geometry, geometry):
        return draft
    if draft is not None:
        _end(draft, Version.SUPERSEDED)
    version = _new_version(
        hotspot, by=by, geometry=geometry, state=Version.DRAFT, reason=reason.strip()
    )
    hotspot.perimeter = geometry
    hotspot.perimeter_centre = perimeter_centre(geometry)
    hotspot.save(update_fields=["perimeter", "perimeter_centre"])
    audit.record(
        actor=by,
        action="hotspot.perimeter",
        target=hotspot,
        changes={
            "perimeter_version": [draft.number if draft else None, version.number],
            "state": Version.DRAFT,
            **perimeter_facts(draft.geometry if draft else None, geometry),
        },
    )
    return version


def _withdraw(version: PerimeterVersion, *, by: User) -> None:
    """A pending change is withdrawn (replaced by a newer one, or the hotspot closed)."""
    _end(version, Version.WITHDRAWN)
    _lapse_pending(version)
    audit.record(
        actor=by,
        action="hotspot.perimeter_withdraw",
        target=version.hotspot,
        changes={
            "perimeter_version": version.number,
            "state": [Version.PROPOSED, Version.WITHDRAWN],
        },
    )


def _lapse_pending(version: PerimeterVersion) -> None:
    """The decisions still owed on a settled or withdrawn change are no longer needed, and
    the mayors who owed them may no longer decide."""
    pending = version.decisions.filter(decision=PDecision.PENDING)
    communes = Commune.objects.filter(pk__in=pending.values("commune_id"))
    for mayor in permissions.mayors_of(communes):
        remove_perm(permissions.DECIDE_PERM, mayor, version.hotspot)
    pending.update(decision=PDecision.LAPSED)


def _check_mayor_decides[D: (MayorDecision, PerimeterDecision)](
    decision: D | None,
    *,
    by: User,
    hotspot: Hotspot,
    refusal: str,
) -> D:
    """The one rule for a mayor's decision (on a hotspot or on a perimeter change): the
    mayor of a concerned commune, holding ``decide_hotspot``, while it is pending."""
    if (
        decision is None
        or by.role != User.Role.MAYOR
        or not policy.checker_for(by).has_perm(permissions.DECIDE_CODENAME, hotspot)
    ):
        raise ValidationError(refusal)
    if decision.decision != MayorDecision.Decision.PENDING:  # the same code in both
        raise ValidationError(_("Your commune has already decided; a decision cannot be changed."))
    return decision


@transaction.atomic
def perimeter_decide(
    *, version: PerimeterVersion, by: User, approve: bool, reason: str = ""
) -> PerimeterDecision:
    """A mayor's decision, for their commune, on a proposed perimeter change, once.

    The proposal comes into force when every concerned commune approved it (the old
    perimeter is then superseded); one rejection rejects it and the old one stays.
    """
    # The same lock as hotspot_decide: two mayors at once must not both leave it unsettled.
    hotspot = Hotspot.objects.select_for_update().get(pk=version.hotspot_id)
    version = PerimeterVersion.objects.select_related("hotspot").get(pk=version.pk)
    if version.state != Version.PROPOSED:
        raise ValidationError(
            _("This perimeter change is no longer awaiting decisions (version %(number)s).")
            % {"number": version.number}
        )
    decision = (
        PerimeterDecision.objects.select_for_update()
        .filter(version=version, commune_id=cast(int, by.commune_id))
        .first()
    )
    decision = _check_mayor_decides(
        decision,
        by=by,
        hotspot=hotspot,
        refusal=_("Only the mayor of a concerned commune decides on this change."),
    )
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for rejecting the new perimeter."))
    decision.decision = PDecision.APPROVE if approve else PDecision.REJECT
    decision.reason = reason.strip()
    decision.decided_by = by
    decision.decided_at = timezone.now()
    decision.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    for mayor in permissions.mayors_of([decision.commune]):
        remove_perm(permissions.DECIDE_PERM, mayor, hotspot)
    audit.record(
        actor=by,
        action="hotspot.perimeter_decide",
        target=hotspot,
        changes={
            "perimeter_version": version.number,
            "commune": decision.commune.nis_code,
            "decision": decision.decision,
            "reason": decision.reason,
        },
    )
    _settle_perimeter(hotspot, version, by=by)
    return decision


def _settle_perimeter(hotspot: Hotspot, version: PerimeterVersion, *, by: User) -> None:
    decisions = list(version.decisions.values_list("decision", flat=True))
    if PDecision.REJECT in decisions:
        _end(version, Version.REJECTED)
        _lapse_pending(version)
        current = hotspot.perimeter_versions.filter(state=Version.IN_FORCE).first()
        audit.record(
            actor=by,
            action="hotspot.perimeter_rejected",
            target=hotspot,
            changes={
                "perimeter_version": version.number,
                "state": [Version.PROPOSED, Version.REJECTED],
                "in_force": current.number if current else None,
            },
        )
    elif decisions and all(d == PDecision.APPROVE for d in decisions):
        previous = hotspot.perimeter_versions.filter(state=Version.IN_FORCE).first()
        if previous is not None:
            _end(previous, Version.SUPERSEDED)
        version.state = Version.IN_FORCE
        version.in_force_from = timezone.now()
        version.save(update_fields=["state", "in_force_from"])
        hotspot.perimeter = version.geometry
        hotspot.perimeter_centre = perimeter_centre(version.geometry)
        hotspot.save(update_fields=["perimeter", "perimeter_centre"])
        audit.record(
            actor=by,
            action="hotspot.perimeter_in_force",
            target=hotspot,
            changes={
                "perimeter_version": [previous.number if previous else None, version.number],
                "superseded": previous.number if previous else None,
                **perimeter_facts(previous.geometry if previous else None, version.geometry),
            },
        )
        events.perimeter_in_force.send(
            sender=Hotspot, hotspot=hotspot, version=version, previous=previous, by=by
        )
    else:
        return
    notifications.perimeter_settled(version.pk)


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
def hotspot_decide(
    *,
    hotspot: Hotspot,
    by: User,
    approve: bool,
    reason: str = "",
    language: str | None = None,
    reason_translation: str = "",
) -> MayorDecision:
    """Record a mayor's decision for their commune, once; settle the hotspot when it can be.

    Approved when every concerned commune approved; one rejection rejects it. A decision
    is signed (who) and dated (when) and never changes afterwards (its reason may still be
    translated, from the list of texts to translate). ``language`` is the reason's
    (default: the mayor's, from their interface).
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
    decision = _check_mayor_decides(
        decision,
        by=by,
        hotspot=hotspot,
        refusal=_("Only the mayor of a concerned commune decides on this hotspot."),
    )
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for rejecting the hotspot."))
    decision.decision = Decision.APPROVE if approve else Decision.REJECT
    decision.reason = reason.strip()
    decision.language = content_language(language)
    decision.reason_translation = reason_translation.strip() if decision.reason else ""
    decision.decided_by = by
    decision.decided_at = timezone.now()
    decision.save(
        update_fields=[
            "decision",
            "reason",
            "language",
            "reason_translation",
            "decided_by",
            "decided_at",
        ]
    )
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
            "language": decision.language,
            "reason_translation": decision.reason_translation,
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
    # Settled: the mayors who had not decided yet (after a rejection) decide no more.
    for mayor in permissions.mayors_of(hotspot.communes.all()):
        remove_perm(permissions.DECIDE_PERM, mayor, hotspot)
    changes: dict[str, Any] = {"status": [Status.AWAITING_APPROVAL, new_status]}
    draft = hotspot.perimeter_versions.filter(state=Version.DRAFT).first()
    if draft is not None:
        # The draft the mayors decided on is now the perimeter in force (or rejected).
        if new_status == Status.APPROVED:
            draft.state = Version.IN_FORCE
            draft.in_force_from = hotspot.approved_at
            draft.save(update_fields=["state", "in_force_from"])
        else:
            _end(draft, Version.REJECTED)
        changes["perimeter_version"] = draft.number
        changes["perimeter_state"] = [Version.DRAFT, draft.state]
    audit.record(actor=by, action=f"hotspot.{new_status}", target=hotspot, changes=changes)
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
def hotspot_close(
    *,
    hotspot: Hotspot,
    by: User,
    reason: str,
    language: str | None = None,
    reason_translation: str = "",
) -> Hotspot:
    """Close an approved or active hotspot, with the reason (``reason_translation``: the
    reason in the other language). The hotspot's texts share one language: a hotspot with
    no description yet takes the closer's (``language``, default: their interface's)."""
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if hotspot.status not in (Status.APPROVED, Status.ACTIVE):
        raise ValidationError(_("Only an approved or active hotspot can be closed."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for closing the hotspot."))
    previous = hotspot.status
    pending = pending_change(hotspot)
    if pending is not None:
        # A closed hotspot's perimeter changes no more: the pending change is withdrawn.
        _withdraw(pending, by=by)
    hotspot.status = Status.CLOSED
    hotspot.closed_at = timezone.now()
    hotspot.closure_reason = reason.strip()
    hotspot.closure_reason_translation = reason_translation.strip()
    old_language = hotspot.language
    if not hotspot.description:
        hotspot.language = content_language(language)
    hotspot.save(
        update_fields=[
            "status",
            "closed_at",
            "closure_reason",
            "closure_reason_translation",
            "language",
        ]
    )
    changes: dict[str, Any] = {
        "status": [previous, Status.CLOSED],
        "reason": hotspot.closure_reason,
        "closure_reason_translation": hotspot.closure_reason_translation,
    }
    if hotspot.language != old_language:
        changes["language"] = [old_language, hotspot.language]
    audit.record(actor=by, action="hotspot.close", target=hotspot, changes=changes)
    return hotspot


def _pending_decisions(commune: Q | None = None) -> set[tuple[int, int]]:
    """(hotspot, commune) of every decision owed (only for the communes ``commune`` selects):
    on a hotspot awaiting approval, or on a perimeter change awaiting the mayors."""
    where = commune or Q()
    on_hotspots = MayorDecision.objects.filter(
        where, decision=Decision.PENDING, hotspot__status=Status.AWAITING_APPROVAL
    ).values_list("hotspot_id", "commune_id")
    on_perimeters = PerimeterDecision.objects.filter(
        where,
        decision=PDecision.PENDING,
        version__state=Version.PROPOSED,
        hotspot__status__in=GOVERNED_STATUSES,
    ).values_list("hotspot_id", "commune_id")
    return set(on_hotspots) | set(on_perimeters)


def decide_grants_sync(*, person: User, **kwargs: object) -> None:
    """Subscriber of ``person_changed``: an active mayor may decide the hotspots awaiting
    their commune's decision; anybody else holds no such permission."""
    # A person with no commune (not a mayor) owes nothing: IS NULL matches no decision.
    owed = _pending_decisions(Q(commune_id=person.commune_id)) if person.commune_id else set()
    pending = Hotspot.objects.filter(pk__in=[hotspot for hotspot, _c in owed])
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
    pending = _pending_decisions()
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
