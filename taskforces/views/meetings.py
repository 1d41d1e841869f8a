"""Meetings of a task force: schedule, agenda points, attendance, minutes, decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.people import confidentiality
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.bilingual import TranslationForm
from taskforces.forms.meetings import (
    MeetingDecisionForm,
    MeetingEditForm,
    MeetingForm,
    MeetingPointForm,
)
from taskforces.models import Meeting
from taskforces.selectors import meetings as meeting_selectors
from taskforces.selectors import plans as plan_selectors
from taskforces.services import meetings as meeting_services


def _decision_form(
    request: AuthenticatedHttpRequest, meeting: Meeting, data=None
) -> MeetingDecisionForm:
    plan = plan_selectors.plan_of(meeting.taskforce)
    access = permissions.access_for(request.user, meeting.taskforce)
    return MeetingDecisionForm(
        data,
        actions=permissions.visible_actions(request.user, plan).order_by("axis", "title"),
        can_create=access.manages,
    )


def _page(request: AuthenticatedHttpRequest, meeting: Meeting, **forms) -> HttpResponse:
    context = meeting_selectors.meeting_page(request.user, meeting)
    if context["access"].manages:
        context["point_form"] = forms.get("point_form") or MeetingPointForm()
        context["decision_form"] = forms.get("decision_form") or _decision_form(request, meeting)
        # The decision form lists the actions the decision may name, by title.
        options = context["decision_form"].fields["action"].queryset
        viewlog.shown(
            request, options.filter(confidentiality.hidden()), via=viewlog.VIA_MEETING_PAGE
        )
    named = [decision.visible_action for decision in context["decisions"]]
    viewlog.shown(request, named, via=viewlog.VIA_MEETING_PAGE)
    return render(request, "taskforces/meeting_detail.html", context)


@require_GET
def meeting_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk)
    context = {
        "taskforce": taskforce,
        "access": permissions.access_for(request.user, taskforce),
        "meetings": meeting_selectors.calendar_meetings(taskforce)[::-1],
    }
    return render(request, "taskforces/meeting_list.html", context)


@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk, "schedule")
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = meeting_services.meeting_create(
            taskforce=taskforce, by=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Meeting scheduled; open points of the last meeting carried over.")
        )
        return redirect("taskforces:meeting", pk=meeting.pk)
    return render(request, "taskforces/meeting_form.html", {"form": form, "taskforce": taskforce})


@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, permissions.get_meeting_for(request.user, pk))


@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    initial = {
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "language": meeting.language,
        "attendees": list(meeting.attendees.values_list("pk", flat=True)),
    }
    form = MeetingEditForm(request.POST or None, initial=initial, taskforce=meeting.taskforce)
    translation = TranslationForm(
        request.POST or None,
        model=Meeting,
        fields=Meeting.TRANSLATED_FIELDS,
        language=meeting.language,
        obj=meeting,
    )
    if request.method == "POST" and form.is_valid() and translation.is_valid():
        fields = {**form.cleaned_data, **translation.translation_fields()}
        try:
            meeting_services.meeting_update(meeting=meeting, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("taskforces:meeting", pk=meeting.pk)
    context = {
        "form": form,
        "translation_form": translation,
        "taskforce": meeting.taskforce,
        "meeting": meeting,
    }
    return render(request, "taskforces/meeting_form.html", context)


@require_POST
def meeting_point_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    form = MeetingPointForm(request.POST)
    if not form.is_valid():
        return _page(request, meeting, point_form=form)
    meeting_services.meeting_point_add(meeting=meeting, by=request.user, **form.cleaned_data)
    return redirect("taskforces:meeting", pk=meeting.pk)


@require_POST
def meeting_point_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    point = permissions.get_meeting_point_for(request.user, pk, "change")
    meeting_services.meeting_point_set_open(point=point, by=request.user, is_open=not point.is_open)
    return redirect("taskforces:meeting", pk=point.meeting_id)


@require_POST
def meeting_decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    form = _decision_form(request, meeting, request.POST)
    if form.is_valid():
        try:
            meeting_services.meeting_decision_add(
                meeting=meeting,
                by=request.user,
                text=form.cleaned_data["text"],
                action=form.cleaned_data["action"],
                new_action=form.new_action(),
                language=form.cleaned_data.get("language"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("taskforces:meeting", pk=meeting.pk)
    return _page(request, meeting, decision_form=form)
