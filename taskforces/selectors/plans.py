"""Reads of action plans: the plan page, versions and what changed between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from coordination.models import Agency, Axis, User
from hotspots.models import IndicatorDefinition
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionPlan,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.actions import Status, axis_progress, for_lists, group_by_axis

# --- Plans ----------------------------------------------------------------------------


# The fields that make up what an action *is* in the plan. Changing one of them in a
# validated plan starts a new version; status and progress are the plan's life, not its
# content, and never do.
PLAN_FIELDS = [
    "title",
    "description",
    "axis",
    "lead_agency",
    "partner_agencies",
    "start_on",
    "due_on",
    "horizon",
    "deliverable",
    "indicator",
    "indicator_target",
    "confidentiality",
]
SCALAR_PLAN_FIELDS = [name for name in PLAN_FIELDS if name != "partner_agencies"]


def plan_of(taskforce: TaskForce) -> ActionPlan:
    """The task force's plan (opened with the task force: a read never creates one)."""
    plan = ActionPlan.objects.filter(taskforce=taskforce).first()
    if plan is None:
        raise Http404
    # Keep the caller's task force object: its cached access (permissions) comes along.
    plan.taskforce = taskforce
    return plan


def current_version(plan: ActionPlan) -> PlanVersion:
    """The plan's latest version (the plan has one from the task force's opening on)."""
    version = plan.versions.order_by("-number").first()
    assert version is not None, "a plan is opened with its first version"
    return version


def missing_fields(action: Action | dict[str, Any]) -> list[str]:
    """What an action still lacks to be submitted: lead, due date, horizon, a measure."""
    get = action.get if isinstance(action, dict) else lambda name: getattr(action, name)
    missing = []
    if not get("lead_agency_id"):
        missing.append(_("a lead agency"))
    if not get("due_on"):
        missing.append(_("a due date"))
    if not get("horizon"):
        missing.append(_("a horizon"))
    has_target = get("indicator_id") and get("indicator_target") is not None
    if not (get("deliverable") or "").strip() and not has_target:
        missing.append(_("a deliverable or an indicator target"))
    return missing


def plan_missing(plan: ActionPlan) -> list[str]:
    """Every reason the plan cannot be submitted yet, in the order the editor fixes them."""
    actions = list(plan.actions.exclude(status=Status.CANCELLED).order_by("axis", "due_on", "pk"))
    reasons = []
    covered = {action.axis for action in actions}
    for axis in Axis:
        if axis.value not in covered:
            reasons.append(
                _("No action on the %(axis)s axis: each of the three axes needs one.")
                % {"axis": axis.label}
            )
    for action in actions:
        missing = missing_fields(action)
        if missing:
            reasons.append(
                _("Action “%(title)s” needs %(missing)s.")
                % {"title": action.title, "missing": ", ".join(missing)}
            )
    return reasons


def action_snapshot(action: Action) -> dict[str, Any]:
    """An action's plan fields as JSON: what a validated version freezes."""
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "axis": action.axis,
        "lead_agency": action.lead_agency_id,
        "partner_agencies": sorted(agency.pk for agency in action.partner_agencies.all()),
        "start_on": action.start_on.isoformat() if action.start_on else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "horizon": action.horizon,
        "deliverable": action.deliverable,
        "indicator": action.indicator_id,
        "indicator_target": (
            str(action.indicator_target) if action.indicator_target is not None else None
        ),
        "confidentiality": action.confidentiality,
        "status": action.status,
        "progress": action.progress,
    }


def last_validated(plan: ActionPlan) -> PlanVersion | None:
    return plan.versions.filter(state=PlanVersion.State.VALIDATED).order_by("-number").first()


def plan_page(user: User, plan: ActionPlan) -> dict[str, Any]:
    access = access_for(user, plan.taskforce)
    actions = list(for_lists(permissions.visible_actions(user, plan)))
    version = current_version(plan)
    editable = version.state in (PlanVersion.State.DRAFT, PlanVersion.State.RETURNED)
    return {
        "taskforce": plan.taskforce,
        "plan": plan,
        "access": access,
        "version": version,
        "versions": list(plan.versions.select_related("reviewed_by", "submitted_by")),
        "groups": group_by_axis(actions),
        "progress": axis_progress(actions),
        "action_count": len(actions),
        "editable": editable,
        # What is missing is worked out on the whole plan; police-judicial actions are
        # complete by construction (services._check_action), so none is ever named here.
        "missing": plan_missing(plan) if editable and access.manages else [],
        "can_submit": editable and access.manages,
        # Content can change unless the CSIR is reviewing it (a validated plan opens v+1).
        "can_add": access.can_create_action and version.state != PlanVersion.State.SUBMITTED,
        "can_review": access.can_review_plan and version.state == PlanVersion.State.SUBMITTED,
    }


FIELD_LABELS = {
    "title": Action._meta.get_field("title").verbose_name,
    "description": Action._meta.get_field("description").verbose_name,
    "axis": Action._meta.get_field("axis").verbose_name,
    "lead_agency": Action._meta.get_field("lead_agency").verbose_name,
    "partner_agencies": Action._meta.get_field("partner_agencies").verbose_name,
    "start_on": Action._meta.get_field("start_on").verbose_name,
    "due_on": Action._meta.get_field("due_on").verbose_name,
    "horizon": Action._meta.get_field("horizon").verbose_name,
    "deliverable": Action._meta.get_field("deliverable").verbose_name,
    "indicator": Action._meta.get_field("indicator").verbose_name,
    "indicator_target": Action._meta.get_field("indicator_target").verbose_name,
    "confidentiality": Action._meta.get_field("confidentiality").verbose_name,
}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class ActionChange:
    kind: str  # "added", "removed", "changed"
    action_id: int
    title: str
    axis: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def axis_label(self) -> str:
        return str(dict(Axis.choices).get(self.axis, self.axis))


class _Labels:
    """Readable values of snapshot entries: agencies, indicators, choices, dates."""

    def __init__(self, entries: list[dict[str, Any]]):
        agency_ids: set[int] = set()
        indicator_ids: set[int] = set()
        for entry in entries:
            if entry.get("lead_agency"):
                agency_ids.add(entry["lead_agency"])
            agency_ids.update(entry.get("partner_agencies") or [])
            if entry.get("indicator"):
                indicator_ids.add(entry["indicator"])
        self.agencies = {a.pk: str(a) for a in Agency.objects.filter(pk__in=agency_ids)}
        self.indicators = {
            i.pk: str(i) for i in IndicatorDefinition.objects.filter(pk__in=indicator_ids)
        }
        self.choices = {
            "axis": dict(Axis.choices),
            "horizon": dict(Action.Horizon.choices),
            "confidentiality": dict(Action.Confidentiality.choices),
            "status": dict(Action.Status.choices),
        }

    def show(self, name: str, value: Any) -> str:
        if value in (None, "", []):
            return "—"
        if name == "lead_agency":
            return self.agencies.get(value, "?")
        if name == "partner_agencies":
            return ", ".join(sorted(self.agencies.get(pk, "?") for pk in value))
        if name == "indicator":
            return self.indicators.get(value, "?")
        if name in self.choices:
            return str(self.choices[name].get(value, value))
        if name in ("start_on", "due_on"):
            return formats.date_format(dt.date.fromisoformat(value), "j F Y")
        return str(value)


def plan_changes(user: User, plan: ActionPlan) -> dict[str, Any]:
    """What changed since the last validated version: added, removed (cancelled), changed.

    Compares the frozen snapshot with the actions today, as the user may see them: an
    action that is, or was, police-judicial is left out for anyone outside the circle.
    """
    access = access_for(user, plan.taskforce)
    base = last_validated(plan)
    current = {
        a.pk: action_snapshot(a)
        for a in permissions.visible_actions(user, plan).prefetch_related("partner_agencies")
    }
    if base is None:
        return {"plan": plan, "taskforce": plan.taskforce, "base": None, "changes": []}
    old = {entry["id"]: entry for entry in (base.snapshot or {}).get("actions", [])}
    hidden: set[int] = set()
    if not access.sees_police_judicial:
        hidden = set(
            plan.actions.filter(confidentiality=permissions.POLICE_JUDICIAL).values_list(
                "pk", flat=True
            )
        )
        hidden |= {
            pk
            for pk, entry in old.items()
            if entry["confidentiality"] == permissions.POLICE_JUDICIAL
        }
    labels = _Labels([*old.values(), *current.values()])
    changes: list[ActionChange] = []
    cancelled = Status.CANCELLED
    for pk in sorted(set(old) | set(current)):
        if pk in hidden:
            continue
        before, after = old.get(pk), current.get(pk)
        was_live = before is not None and before["status"] != cancelled
        is_live = after is not None and after["status"] != cancelled
        entry = cast(dict[str, Any], after or before)
        if is_live and before is None:
            changes.append(ActionChange("added", pk, entry["title"], entry["axis"]))
        elif was_live and not is_live:
            changes.append(ActionChange("removed", pk, entry["title"], entry["axis"]))
        elif before is not None and after is not None:
            fields = [
                FieldChange(
                    name,
                    str(FIELD_LABELS[name]),
                    labels.show(name, before.get(name)),
                    labels.show(name, after.get(name)),
                )
                for name in PLAN_FIELDS
                if before.get(name) != after.get(name)
            ]
            if fields:
                changes.append(ActionChange("changed", pk, entry["title"], entry["axis"], fields))
    order = {axis.value: index for index, axis in enumerate(Axis)}
    changes.sort(key=lambda c: (order.get(c.axis, 9), c.action_id))
    return {"plan": plan, "taskforce": plan.taskforce, "base": base, "changes": changes}


def version_page(user: User, version: PlanVersion) -> dict[str, Any]:
    """A version; a validated one shows its frozen content, as the user may see it."""
    access = access_for(user, version.plan.taskforce)
    entries = list((version.snapshot or {}).get("actions", []))
    if not access.sees_police_judicial:
        entries = [e for e in entries if e["confidentiality"] != permissions.POLICE_JUDICIAL]
    labels = _Labels(entries)
    rows = [
        {
            "title": e["title"],
            "axis": e["axis"],
            "lead": labels.show("lead_agency", e["lead_agency"]),
            "partners": labels.show("partner_agencies", e["partner_agencies"]),
            "due": labels.show("due_on", e["due_on"]),
            "horizon": labels.show("horizon", e["horizon"]),
            "measure": e["deliverable"]
            or (
                f"{labels.show('indicator', e['indicator'])} → {e['indicator_target']}"
                if e["indicator"]
                else "—"
            ),
            "status": labels.show("status", e["status"]),
            "police_judicial": e["confidentiality"] == permissions.POLICE_JUDICIAL,
        }
        for e in entries
    ]
    groups = [
        {"axis": axis.value, "label": axis.label, "rows": [r for r in rows if r["axis"] == axis]}
        for axis in Axis
    ]
    return {
        "version": version,
        "plan": version.plan,
        "taskforce": version.plan.taskforce,
        "groups": groups,
        "count": len(rows),
    }


def plan_export_rows(user: User, plan: ActionPlan) -> list[Action]:
    return list(for_lists(permissions.visible_actions(user, plan)).order_by("axis", "due_on", "pk"))
