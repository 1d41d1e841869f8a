"""Actions: create and edit (plan fields), status and progress inline, updates, escalations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.actions import (
    ActionCommentForm,
    ActionForm,
    ActionStatusForm,
    EscalateForm,
    ResolveForm,
    action_initial,
)
from taskforces.forms.bilingual import TranslationForm
from taskforces.models import Action
from taskforces.permissions import Access
from taskforces.selectors import actions as action_selectors
from taskforces.selectors import plans as plan_selectors
from taskforces.selectors import practices as practice_selectors
from taskforces.services import actions as action_services

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this action while you were editing it. Your changes are not saved: "
    "compare them with the current values below, then save again to keep yours."
)


def _pj_mode(access: Access, *, creating: bool) -> str:
    """Which confidentiality the person may choose (see ActionForm).

    Outside the circle an action cannot be made police-judicial (its author would lose
    sight of it); a circle member who does not run the plan adds police-judicial actions only.
    """
    if not access.sees_police_judicial:
        return "forbidden"
    return "only" if creating and not access.manages else "allowed"


def _status_form(action: Action, data=None) -> ActionStatusForm:
    initial = {"status": action.status, "progress": action.progress, "revision": action.revision}
    return ActionStatusForm(data, initial=initial)


def _translation_form(action: Action, data=None) -> TranslationForm:
    """The translations of the action's texts, folded under the edit form."""
    return TranslationForm(
        data, model=Action, fields=Action.TRANSLATED_FIELDS, language=action.language, obj=action
    )


def _keep_typed(data, revision: int):
    """The user's input, on top of the current revision: saving again is a deliberate choice."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def _action_page(
    request: AuthenticatedHttpRequest, action: Action, *, partial: bool = False, **extra
) -> HttpResponse:
    context = action_selectors.action_page(request.user, action)
    context["status_form"] = extra.pop("status_form", None) or _status_form(action)
    context["comment_form"] = extra.pop("comment_form", None) or ActionCommentForm(
        allow_police_judicial=context["can_post_police_judicial"]
    )
    context.update(extra)
    viewlog.shown(request, [action, *context["timeline"]], via=viewlog.VIA_ACTION_PAGE)
    if not partial:
        # The evaluation section sits outside the live card: the full page only.
        context["evaluation"] = practice_selectors.action_section(request.user, action)
        return render(request, "taskforces/action_detail.html", context)
    response = render(request, "taskforces/action_detail.html#action-live", context)
    # The escalate button sits in the page header, outside the swapped card: a status
    # change (to blocked, or away from it) must show or hide it without a reload.
    response.write(
        render_to_string(
            "taskforces/_action_escalate.html", {**context, "oob": True}, request=request
        )
    )
    return response


@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_action_for(request.user, pk)
    return _action_page(request, action)


@require_http_methods(["GET", "POST"])
def action_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk)
    access = permissions.access_for(request.user, taskforce)
    if not access.can_create_action:
        raise PermissionDenied
    plan = plan_selectors.plan_of(taskforce)
    initial = {"axis": request.GET.get("axis", "")}
    form = ActionForm(
        request.POST or None, initial=initial, police_judicial=_pj_mode(access, creating=True)
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = action_services.action_create(plan=plan, by=request.user, **form.plan_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect("taskforces:action", pk=action.pk)
    context = {"form": form, "taskforce": taskforce, "action": None}
    return render(request, "taskforces/action_form.html", context)


@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_action_for(request.user, pk, "edit")
    access = permissions.access_for(request.user, action.plan.taskforce)
    form = ActionForm(
        request.POST or None,
        initial=action_initial(action),
        police_judicial=_pj_mode(access, creating=False),
    )
    translation = _translation_form(action, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid() and translation.is_valid():
        try:
            action_services.action_update(
                action=action,
                by=request.user,
                revision=form.cleaned_data["revision"] or 0,
                **form.plan_fields(),
                **translation.translation_fields(),
            )
        except action_services.ActionConflict as clash:
            conflict = permissions.get_action_for(request.user, clash.current.pk)
            form = ActionForm(
                _keep_typed(request.POST, conflict.revision),
                initial=action_initial(conflict),
                police_judicial=_pj_mode(access, creating=False),
            )
            form.is_valid()
            form.add_error(None, CONFLICT_MESSAGE)
            translation = _translation_form(conflict, request.POST)
            translation.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect("taskforces:action", pk=action.pk)
    context = {
        "form": form,
        "translation_form": translation,
        "taskforce": action.plan.taskforce,
        "action": action,
        "conflict": conflict,
    }
    viewlog.shown(request, [action, conflict], via=viewlog.VIA_ACTION_FORM)
    return render(request, "taskforces/action_form.html", context, status=409 if conflict else 200)


@require_POST
def action_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Status and progress, inline with htmx or as a plain form that redirects."""
    action = permissions.get_action_for(request.user, pk, "set_status")
    form = _status_form(action, request.POST)
    conflict = None
    if form.is_valid():
        try:
            action_services.action_set_status(action=action, by=request.user, **form.cleaned_data)
        except action_services.ActionConflict as clash:
            conflict = clash.current
            form = _status_form(conflict, _keep_typed(request.POST, conflict.revision))
            form.is_valid()
            form.add_error(None, CONFLICT_MESSAGE)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                fresh = permissions.get_action_for(request.user, pk)
                return _action_page(request, fresh, partial=True, saved=True)
            messages.success(request, _("Status saved."))
            return redirect("taskforces:action", pk=action.pk)
    if conflict is not None:
        action = permissions.get_action_for(request.user, pk)
    return _action_page(
        request, action, partial=bool(request.htmx), status_form=form, conflict=conflict
    )


@require_POST
def action_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An update on the timeline (lead agency or partner)."""
    action = permissions.get_action_for(request.user, pk, "comment")
    access = permissions.access_for(request.user, action.plan.taskforce)
    allow = (
        access.in_police_judicial_circle
        and action.confidentiality != Action.Confidentiality.POLICE_JUDICIAL
    )
    form = ActionCommentForm(request.POST, allow_police_judicial=allow)
    if form.is_valid():
        try:
            action_services.action_comment(
                action=action,
                by=request.user,
                comment=form.cleaned_data["comment"],
                police_judicial=form.cleaned_data.get("police_judicial", False),
                language=form.cleaned_data.get("language"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                return _action_page(request, action, partial=True, saved=True)
            messages.success(request, _("Update posted."))
            return redirect("taskforces:action", pk=action.pk)
    return _action_page(request, action, partial=bool(request.htmx), comment_form=form)


@require_http_methods(["GET", "POST"])
def action_escalate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_action_for(request.user, pk, "escalate")
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_escalate(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action is escalated to the CSIR."))
            return redirect("taskforces:action", pk=action.pk)
    context = {"form": form, "action": action, "taskforce": action.plan.taskforce}
    viewlog.shown(request, [action], via=viewlog.VIA_ESCALATE_FORM)
    return render(request, "taskforces/escalate.html", context)


@require_GET
def escalations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The CSIR's list of open escalations, each with a resolve form."""
    if not permissions.can_list_escalations(request.user):
        raise PermissionDenied
    open_ones = action_selectors.open_escalations_of(request.user)
    resolved = action_selectors.recently_resolved(request.user)
    viewlog.shown(request, [*open_ones, *resolved], via=viewlog.VIA_ESCALATIONS)
    context = {"escalations": open_ones, "resolved": resolved, "form": ResolveForm()}
    return render(request, "taskforces/escalations.html", context)


@require_POST
def escalation_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    escalation = permissions.get_escalation_for(request.user, pk, "resolve")
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            action_services.escalation_resolve(
                escalation=escalation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Resolution recorded."))
    else:
        messages.error(request, _("Describe the resolution."))
    return redirect("taskforces:escalations")
