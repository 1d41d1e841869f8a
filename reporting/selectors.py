"""Reads of reports: the list, a report's page, the meetings a report can be linked to."""

from __future__ import annotations

from typing import IO

from django.db.models import QuerySet

from coordination.core.files import verified_copy
from coordination.models import CoresMeeting, User
from reporting.models import Report
from reporting.permissions import visible_reports


def report_list(user: User, *, kind: str = "", status: str = "") -> list[Report]:
    """The reports ``user`` may see, newest first, in one query whatever their number.

    The snapshot (the bulk of a row) is not read for a list.
    """
    reports = visible_reports(user)
    if kind:
        reports = reports.filter(kind=kind)
    if status:
        reports = reports.filter(status=status)
    return list(
        reports.select_related("hotspot", "requested_by", "presented_at", "published_by")
        .defer("snapshot")
        .order_by("-requested_at", "-pk")[:200]
    )


def batch_siblings(user: User, report: Report) -> list[Report]:
    """The same request in the other language(s), as far as ``user`` may see them."""
    return list(
        visible_reports(user)
        .filter(batch=report.batch)
        .exclude(pk=report.pk)
        .defer("snapshot")
        .order_by("language")
    )


def version_history(user: User, report: Report) -> list[Report]:
    """Every version of this report (same kind, scope, period, language, audience)."""
    return list(
        visible_reports(user)
        .filter(
            kind=report.kind,
            scope=report.scope,
            period_start=report.period_start,
            period_end=report.period_end,
            language=report.language,
            audience=report.audience,
        )
        .select_related("presented_at")
        .defer("snapshot")
        .order_by("-version")
    )


def cores_meetings(*, report: Report | None = None) -> QuerySet[CoresMeeting]:
    """The CoReS meetings a report may be presented at: a report on a period is presented
    once the period is over, so at a meeting held on or after its last day."""
    meetings = CoresMeeting.objects.order_by("-held_on", "-pk")
    if report is not None:
        meetings = meetings.filter(held_on__gte=report.period_end)
    return meetings


def language_siblings(report: Report) -> list[Report]:
    """The current version of the same report in each other language: same kind, scope,
    period and audience (what "Publish FR and NL" publishes with it). Not filtered by
    reader: only the CSIR coordinator publishes, and sees every report."""
    line = Report.objects.filter(
        kind=report.kind,
        scope=report.scope,
        period_start=report.period_start,
        period_end=report.period_end,
        audience=report.audience,
    ).exclude(language=report.language)
    latest: dict[str, Report] = {}
    for other in line.defer("snapshot").order_by("language", "-version", "-pk"):
        latest.setdefault(other.language, other)
    return list(latest.values())


def pdf_for_download(report: Report) -> IO[bytes]:
    """The report's PDF read through the storage, checked against its recorded SHA-256.

    Raises FileNotFoundError when it is gone and ChecksumMismatch when it differs. A PDF
    without a recorded checksum (none is built so) is read as it is.
    """
    name = str(report.pdf.name)
    if not report.sha256:
        return report.pdf.storage.open(name, "rb")
    return verified_copy(report.pdf.storage, name, report.sha256)
