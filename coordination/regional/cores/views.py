"""CoReS pages: the meetings of the Regional Security Council and the decisions taken there.

There is no view to change or delete a decision: the record of decisions only grows.
Recording a decision is a plain form post followed by a full page: an extension changes
the period shown in the navigation, which an htmx fragment would leave stale.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.models import CoresMeeting
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.cores import permissions as cores_permissions
from coordination.regional.cores import selectors, services
from coordination.regional.cores.forms import CoresDecisionForm, CoresMeetingForm
from coordination.strategy import selectors as regional
from reporting.permissions import visible_reports


def _meeting_page(
    request: AuthenticatedHttpRequest, meeting: CoresMeeting, form: CoresDecisionForm | None = None
) -> HttpResponse:
    context = selectors.meeting_page(meeting)
    # The reports presented at the meeting, as far as this reader may open them.
    context["reports"] = (
        visible_reports(request.user).filter(presented_at=meeting).order_by("kind", "language")
    )
    if cores_permissions.can_record_cores(request.user):
        context["decision_form"] = form or CoresDecisionForm()
    return render(request, "coordination/cores/meeting_detail.html", context)


@require_GET
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not cores_permissions.can_read_cores(request.user):
        raise PermissionDenied
    context = {
        "meetings": selectors.meeting_list(),
        "summary": regional.strategy_summary(),
        "can_record": cores_permissions.can_record_cores(request.user),
    }
    return render(request, "coordination/cores/meeting_list.html", context)


@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not cores_permissions.can_record_cores(request.user):
        raise PermissionDenied
    form = CoresMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.cores_meeting_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("CoReS meeting recorded."))
            return redirect("cores:detail", pk=meeting.pk)
    return render(request, "coordination/cores/meeting_form.html", {"form": form, "meeting": None})


@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, cores_permissions.get_cores_meeting_for(request.user, pk))


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = cores_permissions.get_cores_meeting_for(request.user, pk, "record")
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    form = CoresMeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cores_meeting_update(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("CoReS meeting saved."))
            return redirect("cores:detail", pk=meeting.pk)
    context = {"form": form, "meeting": meeting}
    return render(request, "coordination/cores/meeting_form.html", context)


@require_POST
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = cores_permissions.get_cores_meeting_for(request.user, pk, "record")
    form = CoresDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.cores_decision_record(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("cores:detail", pk=meeting.pk)
    return _meeting_page(request, meeting, form)
