"""The action plan: its current version, submission, the CSIR's review, changes, export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.audit import viewlog
from coordination.people import confidentiality
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.plans import ReviewForm
from taskforces.models import Action, ActionPlan
from taskforces.selectors import meetings as meeting_selectors
from taskforces.selectors import plans as plan_selectors
from taskforces.services import plans as plan_services

# The annex's review form sits on the plan page next to the plan's own.
ANNEX_PREFIX = "annex"


def _plan_page(request: AuthenticatedHttpRequest, plan: ActionPlan, **extra) -> HttpResponse:
    # ?all=1: every action of every axis (by default each axis shows its first ones).
    show_all = request.GET.get("all") == "1"
    context = plan_selectors.plan_page(request.user, plan, show_all=show_all)
    if context["can_review"]:
        context["review_form"] = extra.pop("review_form", None) or ReviewForm()
    if context["annex"] is not None and context["annex"]["can_review"]:
        context["annex_review_form"] = extra.pop("annex_review_form", None) or ReviewForm(
            prefix=ANNEX_PREFIX
        )
    context.update(extra)
    # Meeting decisions whose action waits for the plan (created once it is reviewed).
    context["pending"] = meeting_selectors.pending_decisions(request.user, plan.taskforce)
    groups = [*context["groups"], *((context.get("annex") or {}).get("groups") or [])]
    viewlog.shown(request, [a for g in groups for a in g["actions"]], via=viewlog.VIA_PLAN_PAGE)
    return render(request, "taskforces/plan.html", context)


@require_GET
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk)
    return _plan_page(request, plan_selectors.plan_of(taskforce))


@require_POST
def plan_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk, "edit_plan")
    plan = plan_selectors.plan_of(taskforce)
    try:
        plan_services.plan_submit(version=plan_selectors.current_version(plan), by=request.user)
    except plan_services.PlanIncomplete as incomplete:
        return _plan_page(request, plan, refused=incomplete.reasons)
    except ValidationError as error:
        return _plan_page(request, plan, refused=error.messages)
    messages.success(request, _("The plan is submitted to the CSIR for validation."))
    return redirect("taskforces:plan", pk=taskforce.pk)


@require_POST
def version_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The CSIR coordinator validates the submitted version or returns it with comments."""
    version = permissions.get_plan_version_for(request.user, pk, "review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "validate":
                plan_services.plan_validate(version=version, by=request.user, comment=comment)
                messages.success(request, _("The plan is validated; this version is now frozen."))
            else:
                plan_services.plan_return(version=version, by=request.user, comment=comment)
                messages.success(
                    request, _("The plan is returned to the task force with your comments.")
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("taskforces:plan", pk=version.plan.taskforce_id)
    return _plan_page(request, version.plan, review_form=form)


@require_POST
def annex_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The circle sends the police-judicial annex to the CSIR coordinator (404 outside it)."""
    taskforce = permissions.get_taskforce_for(request.user, pk)
    access = permissions.access_for(request.user, taskforce)
    if not access.sees_police_judicial:
        raise Http404
    if not access.can_edit_annex:
        raise PermissionDenied
    plan = plan_selectors.plan_of(taskforce)
    try:
        plan_services.annex_submit(plan=plan, by=request.user)
    except plan_services.PlanIncomplete as incomplete:
        return _plan_page(request, plan, annex_refused=incomplete.reasons)
    except ValidationError as error:
        return _plan_page(request, plan, annex_refused=error.messages)
    messages.success(request, _("The police-judicial annex is submitted to the CSIR."))
    return redirect("taskforces:plan", pk=taskforce.pk)


@require_POST
def annex_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The CSIR coordinator validates the submitted annex or returns it with comments."""
    version = permissions.get_annex_version_for(request.user, pk, "review")
    form = ReviewForm(request.POST, prefix=ANNEX_PREFIX)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "validate":
                plan_services.annex_validate(version=version, by=request.user, comment=comment)
                messages.success(
                    request, _("The police-judicial annex is validated; this version is frozen.")
                )
            else:
                plan_services.annex_return(version=version, by=request.user, comment=comment)
                messages.success(
                    request, _("The police-judicial annex is returned with your comments.")
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("taskforces:plan", pk=version.plan.taskforce_id)
    return _plan_page(request, version.plan, annex_review_form=form)


@require_GET
def annex_version_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A version of the police-judicial annex (404 outside the circle)."""
    version = permissions.get_annex_version_for(request.user, pk)
    context = plan_selectors.version_page(request.user, version)
    viewlog.shown(
        request,
        viewlog.frozen(Action, (version.snapshot or {}).get("actions", [])),
        via=viewlog.VIA_PLAN_VERSION,
    )
    return render(request, "taskforces/plan_version.html", context)


@require_GET
def version_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = permissions.get_plan_version_for(request.user, pk)
    context = plan_selectors.version_page(request.user, version)
    if permissions.access_for(request.user, version.plan.taskforce).sees_police_judicial:
        frozen = viewlog.frozen(Action, (version.snapshot or {}).get("actions", []))
        viewlog.shown(request, frozen, via=viewlog.VIA_PLAN_VERSION)
    return render(request, "taskforces/plan_version.html", context)


@require_GET
def plan_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What changed since the last validated version."""
    taskforce = permissions.get_taskforce_for(request.user, pk)
    plan = plan_selectors.plan_of(taskforce)
    context = plan_selectors.plan_changes(request.user, plan)
    changed = {change.action_id for change in context["changes"]}
    if changed and permissions.access_for(request.user, taskforce).sees_police_judicial:
        # What is, or was (in the base version), police-judicial among the changes shown.
        now = plan.actions.filter(pk__in=changed).filter(confidentiality.hidden())
        then = [e for e in context["base"].snapshot.get("actions", []) if e["id"] in changed]
        viewlog.shown(request, [*now, *viewlog.frozen(Action, then)], via=viewlog.VIA_PLAN_CHANGES)
    return render(request, "taskforces/plan_changes.html", context)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
def plan_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan's actions (those the user may see) as CSV."""
    taskforce = permissions.get_taskforce_for(request.user, pk)
    plan = plan_selectors.plan_of(taskforce)
    actions = plan_selectors.plan_export_rows(request.user, plan)
    viewlog.shown(request, actions, via=viewlog.VIA_PLAN_EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    filename = f"action-plan-{taskforce.hotspot.code}-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Spreadsheets read the accents right with a BOM.
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Axis"), _("Title"), _("Description"), _("Lead agency"), _("Owner"),
            _("Partner agencies"),
            _("Start"), _("Due"), _("Horizon"), _("Status"), _("Progress (%)"), _("Late"),
            _("Deliverable"), _("Linked indicator"), _("Indicator target"), _("Confidentiality"),
            _("Language of the text"), _("Title (translation)"),
            _("Description (translation)"), _("Deliverable (translation)"),
        ]
    )  # fmt: skip
    for action in actions:
        writer.writerow(
            _cell(value)
            for value in [
                action.get_axis_display(),
                action.title,
                action.description,
                action.lead_agency or "",
                action.owner or "",
                ", ".join(str(a) for a in action.partner_agencies.all()),
                action.start_on.isoformat() if action.start_on else "",
                action.due_on.isoformat() if action.due_on else "",
                action.get_horizon_display(),
                action.get_status_display(),
                action.progress,
                _("yes") if action.is_late else _("no"),
                action.deliverable,
                action.indicator or "",
                action.indicator_target,
                action.get_confidentiality_display(),
                action.language,
                action.title_translation,
                action.description_translation,
                action.deliverable_translation,
            ]
        )
    return response
