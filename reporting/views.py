"""Report pages: the list, asking for a report, its progress, download, retry, publication."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.core.files import ChecksumMismatch
from coordination.people.http import AuthenticatedHttpRequest
from reporting import permissions, selectors, services
from reporting.briefings import permissions as briefing_permissions
from reporting.forms import MeetingForm, ReportFilterForm, ReportRequestForm
from reporting.models import Report

logger = logging.getLogger(__name__)


@require_GET
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    wanted = ReportFilterForm(request.GET).values(request)
    filters = {key: wanted.get(key) or "" for key in ("kind", "status")}
    context = {
        "reports": selectors.report_list(request.user, **filters),
        "filters": filters,
        "kinds": Report.Kind.choices,
        "statuses": Report.Status.choices,
        "can_request": permissions.can_request_reports(request.user),
        "can_read_briefings": briefing_permissions.can_read(request.user),
    }
    return render(request, "reporting/list.html", context)


@require_http_methods(["GET", "POST"])
def report_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_request_reports(request.user):
        raise PermissionDenied
    start, end = services.default_period()
    form = ReportRequestForm(
        request.POST or None,
        user=request.user,
        initial={"period_start": start, "period_end": end},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reports = services.report_request(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The report is queued; this page shows its progress."))
            return redirect("reporting:detail", pk=reports[0].pk)
    return render(request, "reporting/request.html", {"form": form})


@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for(request.user, pk)
    user = request.user
    context = {
        "report": report,
        "is_csir": permissions.can_request_reports(user),
        "can_publish": permissions.can_publish(user),
        "can_regenerate": report.kind != Report.Kind.BRIEFING
        and report.audience in permissions.requestable_audiences(user),
    }
    if request.htmx:
        return render(request, "reporting/detail.html#status", context)
    context |= {
        "siblings": selectors.batch_siblings(user, report),
        "versions": selectors.version_history(user, report),
        "meeting_form": MeetingForm(report=report, initial={"meeting": report.presented_at_id}),
    }
    if context["can_publish"] and report.status == Report.Status.READY and not report.published:
        languages = selectors.language_siblings(report)
        ready = [o for o in languages if o.status == Report.Status.READY and not o.published]
        context["languages"] = languages
        context["together"] = ", ".join(other.language.upper() for other in ready)
    return render(request, "reporting/detail.html", context)


@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF, streamed from the storage (local or object storage) after the permission
    check and after checking it against the SHA-256 recorded when it was built."""
    report = permissions.get_report_for(request.user, pk, "download")
    if not report.pdf:
        raise Http404
    try:
        handle = selectors.pdf_for_download(report)
    except FileNotFoundError:
        raise Http404 from None
    except ChecksumMismatch as mismatch:
        # Never send a PDF that is not the one built and recorded: say so instead.
        logger.error(
            "Report %s: the stored PDF does not match its SHA-256 (%s); download refused.",
            report.pk,
            mismatch,
        )
        return render(request, "reporting/download_refused.html", {"report": report}, status=409)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.download_name(),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    viewlog.shown(request, [report], via=viewlog.VIA_REPORT_PDF)
    return response


@require_POST
def report_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for(request.user, pk, "retry")
    try:
        report = services.report_retry(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is queued again."))
    return redirect("reporting:detail", pk=report.pk)


@require_POST
def report_regenerate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for(request.user, pk, "regenerate")
    try:
        report = services.report_regenerate(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new version of the report is queued."))
    return redirect("reporting:detail", pk=report.pk)


def _meeting_refused(request: AuthenticatedHttpRequest) -> None:
    messages.error(
        request,
        _(
            "Choose a CoReS meeting from the list: one held on or after the last day of "
            "the report's period."
        ),
    )


@require_POST
def report_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Publish the report with its versions in the other languages that are built."""
    report = permissions.get_report_for(request.user, pk, "publish")
    form = MeetingForm(request.POST, report=report)
    if not form.is_valid():
        _meeting_refused(request)
        return redirect("reporting:detail", pk=report.pk)
    try:
        done = services.report_publish_languages(
            report=report, by=request.user, meeting=form.cleaned_data["meeting"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = ", ".join(str(each.get_language_display()) for each in done.published)
        messages.success(request, _("Published: %(languages)s.") % {"languages": names})
        for other in done.waiting:
            messages.warning(
                request,
                _(
                    "The %(language)s version is not built yet (%(status)s): publish it "
                    "from its own page once it is ready."
                )
                % {"language": other.get_language_display(), "status": other.get_status_display()},
            )
    return redirect("reporting:detail", pk=report.pk)


@require_POST
def report_meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = permissions.get_report_for(request.user, pk, "publish")
    form = MeetingForm(request.POST, report=report)
    if not form.is_valid():
        _meeting_refused(request)
        return redirect("reporting:detail", pk=report.pk)
    try:
        services.report_link_meeting(
            report=report, by=request.user, meeting=form.cleaned_data["meeting"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The CoReS meeting is recorded."))
    return redirect("reporting:detail", pk=report.pk)
