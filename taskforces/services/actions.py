"""Writes on actions: creation, changes, status, timeline, escalation to the CSIR."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_groups_with_perms, remove_perm

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import Agency, User
from coordination.people import confidentiality
from coordination.people import permissions as policy
from coordination.people import services as people_services
from taskforces import notifications, permissions
from taskforces.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Escalation,
)
from taskforces.selectors.plans import PLAN_FIELDS, SCALAR_PLAN_FIELDS, missing_fields
from taskforces.services.plans import _annex_version_for_change, _lock_plan, _version_for_change
from taskforces.services.translations import content_language as _language

Status = Action.Status
POLICE_JUDICIAL = Action.Confidentiality.POLICE_JUDICIAL


# The language of an action's texts and their translations: not the plan's content (a
# change opens no new version and is allowed while the plan is with the CSIR).
LANGUAGE_FIELDS = [
    "language",
    *(f"{name}_translation" for name in Action.TRANSLATED_FIELDS),
]


# The person who answers for an action: not the plan's content either (a change opens no
# new version), but held to the lead agency by ``_check_owner``.
OWNER_FIELD = "owner"


def owner_candidates(agency: Agency | None) -> QuerySet[User]:
    """Who may own an action led by ``agency``: its active members."""
    if agency is None:
        return User.objects.none()
    return User.objects.filter(agency=agency, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def owner_fits(owner: User | None, lead: Agency | None) -> bool:
    """Whether ``owner`` may own an action led by ``lead`` (no owner always fits)."""
    if owner is None:
        return True
    return lead is not None and owner.is_active and owner.agency_id == lead.pk


def _check_owner(owner: User | None, lead: Agency | None) -> None:
    if not owner_fits(owner, lead):
        raise ValidationError(
            _("The owner must be an active member of the lead agency (%(agency)s).")
            % {"agency": lead if lead is not None else _("none chosen")},
            code="owner",
        )


def _owner_value(action: Action) -> str | None:
    return str(action.owner) if action.owner_id is not None else None


class ActionConflict(Exception):
    """Somebody saved the action since the form was loaded; ``current`` is what they saved."""

    def __init__(self, current: Action):
        super().__init__(f"action {current.pk} is at revision {current.revision}")
        self.current = current


# --- Actions --------------------------------------------------------------------------


def _check_dates(fields: dict[str, Any], *, current: Action | None = None) -> None:
    """Hold new start and due dates to the plausible range; a date an action already had
    (recorded before the range existed) may stay as it is."""
    for name in ("start_on", "due_on"):
        value = fields.get(name)
        if current is None or value != getattr(current, name):
            bounds.check_date(value, bounds.ACTION)


def _check_action(fields: dict[str, Any]) -> None:
    """Rules on an action's plan fields, whoever writes them."""
    start, due = fields.get("start_on"), fields.get("due_on")
    if start and due and due < start:
        raise ValidationError(_("The due date cannot be before the start."))
    lead: Agency | None = fields.get("lead_agency")
    partners: list[Agency] = list(fields.get("partner_agencies") or [])
    if lead is not None and any(partner.pk == lead.pk for partner in partners):
        raise ValidationError(_("The lead agency cannot also be a partner."))
    target = fields.get("indicator_target")
    if target is not None and fields.get("indicator") is None:
        raise ValidationError(_("A target needs a linked indicator."))
    if fields.get("confidentiality") == POLICE_JUDICIAL:
        # Outside the circle nobody may learn the action exists: it must be led and
        # partnered within the circle, and complete from the start, so that no list of
        # what is missing ever has to name it to someone outside.
        agencies = [agency for agency in [lead, *partners] if agency is not None]
        if lead is None or any(not confidentiality.agency_in_circle(agency) for agency in agencies):
            raise ValidationError(
                _(
                    "A police-judicial action is led by a police or prosecutor's office, "
                    "and only such agencies can be its partners."
                )
            )
        missing = missing_fields(
            {**fields, "lead_agency_id": lead.pk, "indicator_id": fields.get("indicator")}
        )
        if missing:
            raise ValidationError(
                _("A police-judicial action needs %(missing)s from the start.")
                % {"missing": ", ".join(missing)}
            )


def action_grants_sync(action: Action) -> None:
    """The lead agency's group changes the action, the partners' groups comment on it
    (django-guardian, in the same transaction as the change that implies it)."""
    wanted = permissions.action_grants(action)
    granted = cast(dict[Group, list[str]], get_groups_with_perms(action, attach_perms=True))
    for group, codenames in granted.items():
        agency_id = getattr(getattr(group, "agency", None), "pk", None)
        for codename in codenames:
            if agency_id is None or wanted.get(agency_id) != codename:
                remove_perm(f"taskforces.{codename}", group, action)
    for agency in Agency.objects.filter(pk__in=wanted):
        assign_perm(f"taskforces.{wanted[agency.pk]}", people_services.agency_group(agency), action)


def _require(allowed: bool) -> None:
    """Every service checks its actor: the admin, commands and tasks obey the views' rules."""
    if not allowed:
        raise PermissionDenied


def _plan_values(action: Action) -> dict[str, Any]:
    values = audit.snapshot(action, SCALAR_PLAN_FIELDS)
    values["partner_agencies"] = sorted(str(agency) for agency in action.partner_agencies.all())
    return values


@transaction.atomic
def action_create(
    *,
    plan: ActionPlan,
    by: User,
    axis: str,
    title: str,
    partner_agencies: Iterable[Agency] = (),
    language: str | None = None,
    **fields: Any,
) -> Action:
    """Add an action to the plan; in a validated plan, this opens the next draft version.

    ``language`` is that of the texts (default: the author's, from their interface).
    """
    unknown = set(fields) - set(SCALAR_PLAN_FIELDS) - set(LANGUAGE_FIELDS) - {OWNER_FIELD}
    assert not unknown, f"not an action's plan field: {unknown}"
    partners = list(partner_agencies)
    fields = {"axis": axis, "title": title, "language": _language(language), **fields}
    access = permissions.access_for(by, plan.taskforce)
    confidential = fields.get("confidentiality") == POLICE_JUDICIAL
    # The plan's editors add actions; a member of the police-judicial circle adds the
    # circle's own confidential ones; only those who see such actions may create one.
    _require(access.can_create_action)
    _require(access.can_edit_plan or confidential)
    _require(access.sees_police_judicial or not confidential)
    _check_action({**fields, "partner_agencies": partners})
    _check_owner(fields.get(OWNER_FIELD), fields.get("lead_agency"))
    _check_dates(fields)
    plan = _lock_plan(plan)
    action = Action.objects.create(plan=plan, **fields)
    action.partner_agencies.set(partners)
    action_grants_sync(action)
    audit.record(
        actor=by,
        action="action.create",
        target=action,
        changes={
            **_plan_values(action),
            **audit.snapshot(action, LANGUAGE_FIELDS),
            OWNER_FIELD: _owner_value(action),
            **_version_for(plan, confidential, by=by),
        },
        police_judicial=confidential,
    )
    return action


def _version_for(plan: ActionPlan, confidential: bool, *, by: User) -> dict[str, int]:
    """The version a change goes into, for the audit entry: a police-judicial action is in
    the annex, whose versions are its own; the plan everyone sees is left as it is."""
    if confidential:
        return {"annex_version": _annex_version_for_change(plan, by=by).number}
    return {"version": _version_for_change(plan, by=by).number}


@transaction.atomic
def action_update(*, action: Action, by: User, revision: int, **fields: Any) -> Action:
    """Change an action's plan fields, if nobody saved it since ``revision``.

    Raises ActionConflict when the action moved on; a change to a validated plan opens
    the next draft version. The language of the texts and their translations
    (``LANGUAGE_FIELDS``) are saved under the same revision check, but are not the plan's
    content: changing only them opens no version.
    """
    unknown = set(fields) - set(PLAN_FIELDS) - set(LANGUAGE_FIELDS) - {OWNER_FIELD}
    assert not unknown, f"not an action's plan field: {unknown}"
    if not fields.get("language", "-"):
        del fields["language"]  # not sent: the texts keep their language
    access = permissions.access_for(by, action.plan.taskforce)
    _require(permissions.can_edit_action(access, action))
    if "confidentiality" in fields and fields["confidentiality"] != action.confidentiality:
        # The confidentiality of an action is the part of the plan it belongs to: moving it
        # would change the plan everyone sees (a version, a removal) because of the annex.
        raise ValidationError(
            _(
                "An action cannot move between the plan and its police-judicial annex: "
                "cancel it and create a new one in the other part."
            )
        )
    # Lock order: the plan, then the action (action_set_status locks only the action).
    plan = _lock_plan(action.plan)
    # Compare-and-set on the revision: the UPDATE matches only the revision the form was
    # built on, and holds the row until commit, so two saves can never both succeed.
    claimed = Action.objects.filter(pk=action.pk, revision=revision).update(revision=revision + 1)
    current = Action.objects.select_related("lead_agency", "indicator", "owner").get(pk=action.pk)
    if not claimed:
        raise ActionConflict(current)
    partners = fields.pop("partner_agencies", None)
    merged = {name: getattr(current, name) for name in SCALAR_PLAN_FIELDS}
    merged.update(fields)
    merged["partner_agencies"] = (
        list(partners) if partners is not None else list(current.partner_agencies.all())
    )
    _check_action(merged)
    if OWNER_FIELD in fields:
        _check_owner(fields[OWNER_FIELD], merged["lead_agency"])
    elif not owner_fits(current.owner, merged["lead_agency"]):
        # A new lead agency: its owner from the former one no longer answers for it.
        fields[OWNER_FIELD] = None
    _check_dates(fields, current=current)
    if "language" in fields:
        fields["language"] = _language(fields["language"])
    before = _plan_values(current)
    before_texts = audit.snapshot(current, LANGUAGE_FIELDS)
    before_owner = {OWNER_FIELD: _owner_value(current)}
    for name, value in fields.items():
        setattr(current, name, value)
    if partners is not None:
        current.partner_agencies.set(partners)
    current.save(update_fields=[*fields, "updated_at"])
    if "lead_agency" in fields or partners is not None:
        action_grants_sync(current)
    changes = audit.diff(before, _plan_values(current))
    text_changes = audit.diff(before_texts, audit.snapshot(current, LANGUAGE_FIELDS))
    text_changes |= audit.diff(before_owner, {OWNER_FIELD: _owner_value(current)})
    if changes or text_changes:
        confidential = current.confidentiality == POLICE_JUDICIAL
        version = _version_for(plan, confidential, by=by) if changes else {}
        audit.record(
            actor=by,
            action="action.update",
            target=current,
            changes={**changes, **text_changes, **version},
            police_judicial=confidential,
        )
    return current


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    by: User,
    revision: int,
    status: str,
    progress: int,
    comment: str = "",
    language: str | None = None,
) -> ActionUpdate:
    """Move an action on (status, progress) with a dated entry on its timeline.

    Refused with ActionConflict when someone saved the action since ``revision``. A done
    action is at 100 %. This never opens a new plan version.
    """
    _require(permissions.can_set_status(permissions.access_for(by, action.plan.taskforce), action))
    if status not in Status.values:
        raise ValidationError(_("Unknown status."))
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage between 0 and 100."))
    comment = comment.strip()
    if status in (Status.BLOCKED, Status.CANCELLED) and not comment:
        raise ValidationError(_("Say why the action is blocked or cancelled."))
    if status == Status.DONE:
        progress = 100

    def conflict() -> ActionConflict:
        return ActionConflict(Action.objects.select_related("lead_agency").get(pk=action.pk))

    if action.revision != revision:
        raise conflict()
    old_status, old_progress = action.status, action.progress
    if status == old_status and progress == old_progress and not comment:
        raise ValidationError(_("Nothing changed: choose a new status or progress, or comment."))
    # Compare-and-set: the UPDATE only matches the revision the form was built on.
    updated = Action.objects.filter(pk=action.pk, revision=revision).update(
        status=status, progress=progress, revision=F("revision") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise conflict()
    action.status, action.progress, action.revision = status, progress, revision + 1
    update = ActionUpdate.objects.create(
        action=action,
        author=by,
        agency=by.agency,
        old_status=old_status if status != old_status else "",
        new_status=status if status != old_status else "",
        progress=progress if progress != old_progress else None,
        comment=comment,
        language=_language(language),
        confidentiality=action.confidentiality,
    )
    audit.record(
        actor=by,
        action="action.status",
        target=action,
        changes={"status": [old_status, status], "progress": [old_progress, progress]},
        police_judicial=action.confidentiality == POLICE_JUDICIAL,
    )
    return update


@transaction.atomic
def action_comment(
    *,
    action: Action,
    by: User,
    comment: str,
    police_judicial: bool = False,
    language: str | None = None,
) -> ActionUpdate:
    """A dated note on the action's timeline (lead agency or partner)."""
    access = permissions.access_for(by, action.plan.taskforce)
    _require(permissions.can_comment(access, action))
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Write the update."))
    if police_judicial and not access.in_police_judicial_circle:
        raise ValidationError(_("Only the police-judicial circle writes police-judicial notes."))
    confidential = police_judicial or action.confidentiality == POLICE_JUDICIAL
    update = ActionUpdate.objects.create(
        action=action,
        author=by,
        agency=by.agency,
        comment=comment,
        language=_language(language),
        confidentiality=POLICE_JUDICIAL if confidential else Action.Confidentiality.TASKFORCE,
    )
    audit.record(
        actor=by,
        action="action.comment",
        target=action,
        changes={"update": update.pk},
        police_judicial=confidential,
    )
    return update


@transaction.atomic
def action_escalate(
    *, action: Action, by: User, reason: str, language: str | None = None
) -> Escalation:
    """Put a blocked action before the CSIR, with the reason; one open escalation at a time.

    The CSIR is told; of a police-judicial action, only the CSIR coordinator.
    """
    _require(permissions.can_escalate(permissions.access_for(by, action.plan.taskforce), action))
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Status.BLOCKED:
        raise ValidationError(_("Only a blocked action can be escalated."))
    if not reason.strip():
        raise ValidationError(_("Say what blocks the action and what the CSIR should do."))
    if action.escalations.filter(resolved_at__isnull=True).exists():
        raise ValidationError(_("This action is already escalated to the CSIR."))
    escalation = Escalation.objects.create(
        action=action, reason=reason.strip(), language=_language(language), raised_by=by
    )
    audit.record(
        actor=by,
        action="action.escalate",
        target=action,
        changes={"reason": escalation.reason, "language": escalation.language},
        police_judicial=action.confidentiality == POLICE_JUDICIAL,
    )
    notifications.action_escalated(escalation)
    return escalation


@transaction.atomic
def escalation_resolve(
    *, escalation: Escalation, by: User, resolution: str, language: str | None = None
) -> Escalation:
    """The CSIR records how it resolved an escalation (once); the lead agency is told."""
    escalation = (
        Escalation.objects.select_for_update().select_related("action").get(pk=escalation.pk)
    )
    if not policy.is_csir(by):
        raise ValidationError(_("Only the CSIR resolves escalations."))
    if escalation.resolved_at is not None:
        raise ValidationError(_("This escalation is already resolved."))
    if not resolution.strip():
        raise ValidationError(_("Describe the resolution."))
    escalation.resolution = resolution.strip()
    escalation.resolution_language = _language(language)
    escalation.resolved_by = by
    escalation.resolved_at = timezone.now()
    escalation.save(
        update_fields=["resolution", "resolution_language", "resolved_by", "resolved_at"]
    )
    audit.record(
        actor=by,
        action="action.escalation_resolve",
        target=escalation.action,
        changes={
            "escalation": escalation.pk,
            "resolution": escalation.resolution,
            "resolution_language": escalation.resolution_language,
        },
        police_judicial=escalation.action.confidentiality == POLICE_JUDICIAL,
    )
    notifications.escalation_resolved(escalation)
    return escalation
