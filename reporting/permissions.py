"""Who may see, download, build and publish reports (DESIGN.md §5 and §6).

- The CSIR coordinator sees every report and alone publishes them and asks for the
  police-judicial version (it holds items only the coordinator and the police-judicial
  circle may see).
- A CSIR analyst asks for, follows and retries reports, and sees all but the
  police-judicial versions.
- CoReS members and mayors read the *published* regional reports, CoReS version only.
- The members of a task force read the *published* reports on their hotspot: the CoReS
  version, and the police-judicial version when their agency in that task force belongs
  to the police-judicial circle. A police-judicial regional report covers every task
  force, so no task-force circle is enough for it.

``visible_reports`` is the one place this is written; ``get_report_for`` answers 404 for
a report the user may not see (an outsider cannot tell it exists) and 403 when they see
it but may not do ``perm``.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from coordination.models import User
from coordination.people import permissions as policy
from reporting.models import Report
from taskforces.permissions import circle_taskforces, granted_taskforces

ReportPerm = Literal["view", "download", "retry", "regenerate", "publish"]
Kind, Audience, Status = Report.Kind, Report.Audience, Report.Status


def can_request_reports(user: User | AnonymousUser) -> bool:
    return policy.is_csir(user)


def requestable_audiences(user: User | AnonymousUser) -> list[str]:
    """The CoReS version for the CSIR; the police-judicial one for its coordinator only."""
    if policy.is_csir_coordinator(user):
        return [Audience.CORES, Audience.POLICE_JUDICIAL]
    if policy.is_csir(user):
        return [Audience.CORES]
    return []


def can_publish(user: User | AnonymousUser) -> bool:
    return policy.is_csir_coordinator(user)


def visible_reports(user: User | AnonymousUser) -> QuerySet[Report]:
    """The reports ``user`` may see, as one queryset (its subqueries run inside it)."""
    reports = Report.objects.all()
    if policy.is_csir_coordinator(user):
        return reports
    if policy.is_csir(user):
        return reports.exclude(audience=Audience.POLICE_JUDICIAL)
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    # A task force's report for those who see the task force; its police-judicial version
    # for its circle only (coordination.people.confidentiality).
    readable = Q(
        kind=Kind.TASKFORCE, hotspot__taskforce__in=granted_taskforces(user).values("pk")
    ) & (
        Q(audience=Audience.CORES) | Q(hotspot__taskforce__in=circle_taskforces(user).values("pk"))
    )
    if policy.is_cores_member(user) or policy.is_mayor(user):
        # The CoReS briefing's PDFs are read as the regional report is.
        readable |= Q(kind__in=[Kind.REGIONAL, Kind.BRIEFING], audience=Audience.CORES)
    return reports.filter(readable, published=True, status=Status.READY)


def can_open_reports(user: User | AnonymousUser) -> bool:
    """Whether the 'Reports' section is worth showing (the menu; at most one query)."""
    if policy.is_csir(user) or policy.is_cores_member(user) or policy.is_mayor(user):
        return True
    return granted_taskforces(user).exists()


def get_report_for(user: User | AnonymousUser, pk: int, perm: ReportPerm = "view") -> Report:
    """The report ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed.

    A report without a PDF (queued, running, failed) cannot be downloaded: 404.
    """
    report = (
        visible_reports(user)
        .select_related("hotspot", "requested_by", "published_by", "presented_at")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    if perm == "download":
        if report.status != Status.READY or not report.pdf:
            raise Http404
        return report
    allowed = {
        "view": True,
        "retry": can_request_reports(user),
        # A briefing's PDF is rebuilt from its frozen briefing, never asked for again.
        "regenerate": report.kind != Kind.BRIEFING
        and report.audience in requestable_audiences(user),
        "publish": can_publish(user),
    }[perm]
    if not allowed:
        raise PermissionDenied
    return report
