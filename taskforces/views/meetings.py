"""Meetings of a task force: schedule and invitations, agenda points, attendance, minutes
(draft, final, corrections), cancellation, decisions (and the actions they wait for)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.core import bounds
from coordination.people import confidentiality
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.bilingual import TranslationForm
from taskforces.forms.meetings import (
    MeetingCancelForm,
    MeetingDecisionForm,
    MeetingEditForm,
    MeetingNewForm,
    MeetingPointForm,
)
from taskforces.models import Meeting, MeetingMinutes
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
    form = MeetingNewForm(request.POST or None, taskforce=taskforce)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_services.meeting_create(
                taskforce=taskforce, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Meeting scheduled; the invitations are sent and the open points moved to it."),
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
        "attendees": list(
            meeting.participants.filter(status="attended").values_list("user_id", flat=True)
        ),
    }
    latest = meeting.minutes_versions.order_by("-number").first()
    form = MeetingEditForm(
        request.POST or None,
        initial=initial,
        taskforce=meeting.taskforce,
        minutes_final=latest is not None and latest.status == MeetingMinutes.Status.FINAL,
    )
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
    try:
        meeting_services.meeting_point_add(meeting=meeting, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, meeting, point_form=form)
    return redirect("taskforces:meeting", pk=meeting.pk)


@require_POST
def meeting_point_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    point = permissions.get_meeting_point_for(request.user, pk, "change")
    try:
        meeting_services.meeting_point_set_open(
            point=point, by=request.user, is_open=not point.is_open
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
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


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Meeting cancelled; the participants are told."))
            return redirect("taskforces:meeting", pk=meeting.pk)
    context = {"form": form, "meeting": meeting, "taskforce": meeting.taskforce}
    return render(request, "taskforces/meeting_cancel.html", context)


def _act(request: AuthenticatedHttpRequest, meeting: Meeting, done: str, service, **kw):
    """Run a one-button service; its refusal is said on the page, not as an error page."""
    try:
        service(meeting=meeting, by=request.user, **kw)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("taskforces:meeting", pk=meeting.pk)


@require_POST
def meeting_excuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk)
    return _act(
        request, meeting, _("Your apologies are recorded."), meeting_services.meeting_excuse
    )


@require_POST
def minutes_finalise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    return _act(
        request, meeting, _("The minutes are final and locked."), meeting_services.minutes_finalise
    )


@require_POST
def minutes_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for(request.user, pk, "change")
    return _act(
        request,
        meeting,
        _("A new draft version of the minutes is open for the correction."),
        meeting_services.minutes_correct,
    )


@require_POST
def meeting_point_carry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    point = permissions.get_meeting_point_for(request.user, pk, "change")
    to = get_object_or_404(
        Meeting.objects.filter(taskforce=point.meeting.taskforce_id),
        pk=bounds.parse_id(request.POST.get("to")) or 0,
    )
    try:
        meeting_services.meeting_point_carry(point=point, by=request.user, to=to)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("taskforces:meeting", pk=point.meeting_id)
    messages.success(request, _("The point moved to the next meeting."))
    return redirect("taskforces:meeting", pk=to.pk)


@require_POST
def pending_actions_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The coordinator's button: create the actions meeting decisions wait for."""
    taskforce = permissions.get_taskforce_for(request.user, pk, "edit_plan")
    plan = plan_selectors.plan_of(taskforce)
    try:
        created = meeting_services.pending_actions_create(plan=plan, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Actions created: %(count)s.") % {"count": len(created)})
    # Back to the meeting page the button was pressed on, or to the plan.
    meeting_id = bounds.parse_id(request.POST.get("meeting"))
    if meeting_id and Meeting.objects.filter(pk=meeting_id, taskforce=taskforce).exists():
        return redirect("taskforces:meeting", pk=meeting_id)
    return redirect("taskforces:plan", pk=taskforce.pk)
