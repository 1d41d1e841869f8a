"""Reads of reports: the list, a report's page, the meetings a report can be linked to."""

from __future__ import annotations

from django.db.models import QuerySet

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


def cores_meetings() -> QuerySet[CoresMeeting]:
    return CoresMeeting.objects.order_by("-held_on", "-pk")
