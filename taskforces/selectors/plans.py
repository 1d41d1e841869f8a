"""Reads of action plans: the plan page, versions and what changed between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from coordination.core.dates import long_date
from coordination.models import Agency, Axis, User
from coordination.people import confidentiality
from hotspots.models import IndicatorDefinition
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionPlan,
    AnnexVersion,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.actions import (
    Status,
    axis_progress,
    for_lists,
    group_by_axis,
    with_late,
)

# The actions each axis of the plan page shows before its "show all" link.
AXIS_SHOWN = 20

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


# --- The two parts of a plan ----------------------------------------------------------
#
# The plan everyone in the task force sees holds its non-police-judicial actions; the
# police-judicial ones form its confidential annex, with its own versions (DESIGN.md §8).
# An action's confidentiality is its part: it never moves from one to the other.


def main_actions(plan: ActionPlan) -> QuerySet[Action]:
    """The actions of the plan proper (whoever reads: callers filter nothing more)."""
    return plan.actions.exclude(confidentiality.hidden())


def annex_actions(plan: ActionPlan) -> QuerySet[Action]:
    """The actions of the police-judicial annex; only for those who see police-judicial items."""
    return plan.actions.filter(confidentiality.hidden())


def in_annex(action: Action) -> bool:
    return confidentiality.is_confidential(action)


def current_annex(plan: ActionPlan) -> AnnexVersion | None:
    """The annex's latest version; None while the annex has never been versioned."""
    return plan.annex_versions.order_by("-number").first()


def last_validated_annex(plan: ActionPlan) -> AnnexVersion | None:
    return (
        plan.annex_versions.filter(state=AnnexVersion.State.VALIDATED).order_by("-number").first()
    )


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
    """Every reason the plan cannot be submitted yet, in the order the editor fixes them.

    The three axes are checked on the plan its submitters see: the police-judicial annex
    does not count, so that the rule never depends on actions they cannot see.
    """
    actions = list(
        main_actions(plan).exclude(status=Status.CANCELLED).order_by("axis", "due_on", "pk")
    )
    reasons = []
    covered = {action.axis for action in actions}
    for axis in Axis:
        if axis.value not in covered:
            reasons.append(
                _("No action on the %(axis)s axis: each of the three axes needs one.")
                % {"axis": axis.label}
            )
    reasons += _incomplete(actions)
    return reasons


def annex_missing(plan: ActionPlan) -> list[str]:
    """Every reason the police-judicial annex cannot be submitted yet (no axis rule: the
    annex completes the plan, which covers the three axes on its own)."""
    actions = list(
        annex_actions(plan).exclude(status=Status.CANCELLED).order_by("axis", "due_on", "pk")
    )
    if not actions:
        return [_("The police-judicial annex has no action to submit.")]
    return _incomplete(actions)


def _incomplete(actions: list[Action]) -> list[str]:
    reasons = []
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


EDITABLE_STATES = (PlanVersion.State.DRAFT, PlanVersion.State.RETURNED)


def shown_by_axis(actions: list[Action], *, show_all: bool) -> list[dict[str, Any]]:
    """``group_by_axis`` with each axis cut to its first ``AXIS_SHOWN`` actions (unless
    ``show_all``): ``count`` is the axis's total, ``more`` whether some are left out (a
    link shows them all). The partner agencies are fetched for the shown actions only, in
    one query."""
    groups = group_by_axis(actions)
    for group in groups:
        group["count"] = len(group["actions"])
        if not show_all:
            group["actions"] = group["actions"][:AXIS_SHOWN]
        group["more"] = len(group["actions"]) < group["count"]
    shown = [action for group in groups for action in group["actions"]]
    prefetch_related_objects(
        shown, Prefetch("partner_agencies", queryset=Agency.objects.order_by("name_fr"))
    )
    return groups


def plan_page(user: User, plan: ActionPlan, *, show_all: bool = False) -> dict[str, Any]:
    """The plan as the user sees it; its police-judicial annex only for those who see
    police-judicial items (for anyone else, ``annex`` is None and nothing hints at it).

    Each axis shows its first ``AXIS_SHOWN`` actions unless ``show_all`` (the whole plan
    is one link away, and complete in the CSV export): the page stays the same size
    however long the plan grows."""
    access = access_for(user, plan.taskforce)
    actions = list(
        with_late(
            permissions.visible_actions(user, plan).select_related(
                "lead_agency", "owner", "indicator"
            )
        )
    )
    main = [action for action in actions if not in_annex(action)]
    version = current_version(plan)
    editable = version.state in EDITABLE_STATES
    annex = annex_page(
        access, plan, [action for action in actions if in_annex(action)], show_all=show_all
    )
    can_add_main = (
        access.can_create_action
        and access.can_edit_plan
        and version.state != PlanVersion.State.SUBMITTED
    )
    return {
        "taskforce": plan.taskforce,
        "plan": plan,
        "access": access,
        "version": version,
        "versions": list(plan.versions.select_related("reviewed_by", "submitted_by")),
        "groups": shown_by_axis(main, show_all=show_all),
        "show_all": show_all,
        # The task force's progress: the circle counts its own actions in it.
        "progress": axis_progress(actions),
        "action_count": len(main),
        "editable": editable,
        "missing": plan_missing(plan) if editable and access.manages else [],
        "can_submit": editable and access.manages,
        # Content can change unless the CSIR is reviewing it (a validated plan opens v+1);
        # the circle adds to its annex whatever the state of the plan.
        "can_add": can_add_main or (annex is not None and annex["can_add"]),
        "can_add_main": can_add_main,
        "can_review": access.can_review_plan and version.state == PlanVersion.State.SUBMITTED,
        "annex": annex,
    }


def annex_page(
    access: permissions.Access, plan: ActionPlan, actions: list[Action], *, show_all: bool = True
) -> Any:
    """The police-judicial annex on the plan page: None outside the circle."""
    if not access.sees_police_judicial:
        return None
    version = current_annex(plan)
    state = version.state if version is not None else AnnexVersion.State.DRAFT
    editable = state in EDITABLE_STATES
    can_edit = access.can_edit_annex
    return {
        "version": version,
        "versions": list(plan.annex_versions.select_related("reviewed_by", "submitted_by")),
        "groups": shown_by_axis(actions, show_all=show_all),
        "action_count": len(actions),
        "missing": annex_missing(plan) if editable and can_edit and actions else [],
        "can_submit": editable and can_edit and bool(actions),
        "can_add": can_edit and state != AnnexVersion.State.SUBMITTED,
        "can_review": access.can_review_plan and state == AnnexVersion.State.SUBMITTED,
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
            return long_date(dt.date.fromisoformat(value))
        return str(value)


def plan_changes(user: User, plan: ActionPlan) -> dict[str, Any]:
    """What changed since the last validated version: added, removed (cancelled), changed.

    Compares the frozen snapshot with the actions today. The plan proper never holds a
    police-judicial action, so its changes are the same for every reader: police-judicial
    entries of snapshots frozen before the annex existed are left out for everyone. Those
    who see police-judicial items also get the annex's own changes (``annex``).
    """
    access = access_for(user, plan.taskforce)
    base = last_validated(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "taskforce": plan.taskforce,
        "base": base,
        "changes": [],
        "annex": None,
    }
    if base is not None:
        current = [
            action_snapshot(a)
            for a in permissions.visible_actions(user, plan)
            .exclude(confidentiality.hidden())
            .prefetch_related("partner_agencies")
        ]
        # Actions in the annex today (even if once in the plan) are the annex's business.
        moved = set(annex_actions(plan).values_list("pk", flat=True))
        context["changes"] = _diff(_main_entries(base), current, hidden=moved)
    if access.sees_police_judicial:
        annex_base = last_validated_annex(plan)
        annex_changes: list[ActionChange] = []
        if annex_base is not None:
            current = [
                action_snapshot(a) for a in annex_actions(plan).prefetch_related("partner_agencies")
            ]
            old = list((annex_base.snapshot or {}).get("actions", []))
            annex_changes = _diff(old, current, hidden=set())
        context["annex"] = {"base": annex_base, "changes": annex_changes}
    return context


def _main_entries(version: PlanVersion) -> list[dict[str, Any]]:
    """The entries of a validated version of the plan proper (without police-judicial ones)."""
    return [
        entry
        for entry in (version.snapshot or {}).get("actions", [])
        if entry.get("confidentiality") != confidentiality.POLICE_JUDICIAL
    ]


def _diff(
    old_entries: list[dict[str, Any]], current_entries: list[dict[str, Any]], *, hidden: set[int]
) -> list[ActionChange]:
    old = {entry["id"]: entry for entry in old_entries}
    current = {entry["id"]: entry for entry in current_entries}
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
    return changes


def version_page(user: User, version: PlanVersion | AnnexVersion) -> dict[str, Any]:
    """A version; a validated one shows its frozen content, as the user may see it.

    A version of the plan frozen before the annex existed may hold police-judicial
    entries: that decision is kept as taken, and they are shown to the circle only.
    """
    access = access_for(user, version.plan.taskforce)
    is_annex = isinstance(version, AnnexVersion)
    entries = list((version.snapshot or {}).get("actions", []))
    if not is_annex and not access.sees_police_judicial:
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
        "is_annex": is_annex,
    }


def plan_export_rows(user: User, plan: ActionPlan) -> list[Action]:
    return list(for_lists(permissions.visible_actions(user, plan)).order_by("axis", "due_on", "pk"))
