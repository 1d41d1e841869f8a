"""Displacement pages: the reports with their map, reporting one, following it up, closing it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core.bounds import parse_id
from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.displacement import (
    CloseForm,
    DisplacementFilterForm,
    DisplacementForm,
    FollowUpForm,
)
from taskforces.models import DisplacementReport
from taskforces.selectors import displacement as selectors
from taskforces.services import displacement as services


@require_GET
@htmx_partial("displacement-results")
def displacement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = DisplacementFilterForm(request.GET)
    wanted = filters.values(request)
    commune = wanted.get("commune")
    reports = selectors.displacement_list(
        request.user,
        status=wanted.get("status", ""),
        commune=commune.nis_code if commune else "",
    )
    context = {
        "reports": reports,
        "filters": filters,
        "map": selectors.displacement_map(reports, title=_("Displacement in the region")),
        "can_report": permissions.can_report_displacement(request.user),
        "routing_reach_m": selectors.routing_reach_m(),
    }
    return TemplateResponse(request, "taskforces/displacement/list.html", context)


@require_http_methods(["GET", "POST"])
def displacement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_report_displacement(request.user):
        raise PermissionDenied
    initial = {}
    if hotspot_id := parse_id(request.GET.get("hotspot")):
        initial["from_hotspot"] = hotspot_id
    form = DisplacementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.displacement_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Displacement reported. The CSIR and the task forces concerned are told."),
            )
            return redirect("taskforces:displacement_detail", pk=report.pk)
    context = {
        "form": form,
        "map": selectors.picking_map(title=_("Click the place on the map")),
        "routing_reach_m": selectors.routing_reach_m(),
    }
    return render(request, "taskforces/displacement/new.html", context)


def _detail(
    request: AuthenticatedHttpRequest,
    report: DisplacementReport,
    *,
    follow_up_form: FollowUpForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "report": report,
        "follow_ups": selectors.follow_ups(report),
        "routed": selectors.routings(report),
        "map": selectors.displacement_map([report], title=str(report)),
        "can_follow_up": permissions.can_follow_up_displacement(user, report),
        "can_close": permissions.can_close_displacement(user, report),
        "follow_up_form": follow_up_form or FollowUpForm(),
        "close_form": close_form or CloseForm(),
    }
    return render(request, "taskforces/displacement/detail.html", context)


@require_GET
def displacement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, permissions.get_displacement_for(request.user, pk))


@require_POST
def displacement_follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_displacement_for(request.user, pk, "follow_up")
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.displacement_follow_up(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            # The report changed meanwhile (closed): the page says why, without the form.
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Follow-up added."))
        return redirect("taskforces:displacement_detail", pk=report.pk)
    return _detail(request, report, follow_up_form=form)


@require_POST
def displacement_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_displacement_for(request.user, pk, "close")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.displacement_close(
                report=report,
                by=request.user,
                note=form.cleaned_data["closure_note"],
                language=form.cleaned_data.get("language"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Displacement report closed."))
        return redirect("taskforces:displacement_detail", pk=report.pk)
    return _detail(request, report, close_form=form)
