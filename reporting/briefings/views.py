"""Briefing pages: the list, preparing a draft and its decisions asked, freezing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.people.http import AuthenticatedHttpRequest
from reporting import services as report_services
from reporting.briefings import permissions, selectors, services
from reporting.briefings.forms import BriefingForm, DecisionForm
from reporting.models import Briefing, BriefingDecisionAsked


@require_GET
def briefing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_read(request.user):
        raise PermissionDenied
    context = {
        "briefings": selectors.briefing_list(request.user),
        "can_prepare": permissions.can_prepare(request.user),
    }
    return render(request, "reporting/briefings/list.html", context)


@require_http_methods(["GET", "POST"])
def briefing_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_prepare(request.user):
        raise PermissionDenied
    start, end = report_services.default_period()
    form = BriefingForm(request.POST or None, initial={"period_start": start, "period_end": end})
    if request.method == "POST" and form.is_valid():
        try:
            briefing = services.briefing_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The briefing is open: add the decisions asked."))
            return redirect("reporting:briefing", pk=briefing.pk)
    return render(request, "reporting/briefings/form.html", {"form": form, "briefing": None})


@require_GET
def briefing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    briefing = permissions.get_briefing_for(request.user, pk)
    context = {
        "briefing": briefing,
        "decisions": selectors.decisions_of(briefing),
        "pdfs": selectors.pdfs_of(request.user, briefing),
        "can_prepare": permissions.can_prepare(request.user) and not briefing.is_frozen,
    }
    return render(request, "reporting/briefings/detail.html", context)


@require_http_methods(["GET", "POST"])
def briefing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    briefing = permissions.get_briefing_for(request.user, pk, "change")
    initial = {
        "period_start": briefing.period_start,
        "period_end": briefing.period_end,
        "meeting": briefing.meeting_id,
    }
    form = BriefingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.briefing_update(briefing=briefing, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The briefing is saved."))
            return redirect("reporting:briefing", pk=briefing.pk)
    return render(request, "reporting/briefings/form.html", {"form": form, "briefing": briefing})


def _decision_for(briefing: Briefing, decision_pk: int) -> BriefingDecisionAsked:
    decision = briefing.decisions.select_related("briefing").filter(pk=decision_pk).first()
    if decision is None:
        raise Http404
    return decision


@require_http_methods(["GET", "POST"])
def decision_form(
    request: AuthenticatedHttpRequest, pk: int, decision_pk: int | None = None
) -> HttpResponse:
    """Add a decision asked to a draft, or change one (``decision_pk``)."""
    briefing = permissions.get_briefing_for(request.user, pk, "change")
    decision = _decision_for(briefing, decision_pk) if decision_pk else None
    initial = {}
    if decision is not None:
        initial = {
            name: getattr(decision, name) for name in ("kind", "language", *services.TEXT_FIELDS)
        } | {"hotspot": decision.hotspot_id, "order": decision.order_id}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if decision is None:
                services.decision_add(briefing=briefing, by=request.user, **form.cleaned_data)
            else:
                services.decision_update(decision=decision, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision asked is saved."))
            return redirect("reporting:briefing", pk=briefing.pk)
    context = {"form": form, "briefing": briefing, "decision": decision}
    return render(request, "reporting/briefings/decision_form.html", context)


@require_POST
def decision_remove(request: AuthenticatedHttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    briefing = permissions.get_briefing_for(request.user, pk, "change")
    decision = _decision_for(briefing, decision_pk)
    try:
        services.decision_remove(decision=decision, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The decision asked is taken out of the briefing."))
    return redirect("reporting:briefing", pk=briefing.pk)


@require_POST
def briefing_freeze(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    briefing = permissions.get_briefing_for(request.user, pk, "change")
    try:
        services.briefing_freeze(briefing=briefing, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The briefing is frozen; its PDFs (FR and NL) are being built."),
        )
    return redirect("reporting:briefing", pk=briefing.pk)
